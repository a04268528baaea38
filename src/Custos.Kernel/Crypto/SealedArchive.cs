using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Custos.Kernel.Crypto;

/// <summary>The clear part of a sealed archive: its id, its manifest (authenticated, not secret) and the wrapped archive key.</summary>
public sealed record SealedArchiveHeader(Guid Id, byte[] Manifest, WrappedDataKey Key);

/// <summary>Why a file could not be opened as a sealed archive.</summary>
public sealed class SealedArchiveException(string reason, Exception? inner = null) : Exception(reason, inner)
{
    /// <summary>not-an-archive, unsupported-format, truncated, wrong-keys, tampered, trailing-data.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// A file sealed for keeping apart (SEC-2, backups): a random 256-bit archive key wrapped by the key-encryption key, and
/// the content in AES-256-GCM chunks of 1 MiB. Each chunk's nonce is its number and its associated data is the hash of
/// the clear header, its number and whether it is the last, so chunks cannot be reordered, dropped, or cut off at the
/// end, and the manifest cannot be changed, without the opening failing. Retiring the KEK version makes the archive
/// unreadable, like everything else it wrapped.
/// </summary>
public static class SealedArchive
{
    public const int ChunkSize = 1 << 20;
    private const int MaxManifest = 1 << 20;
    private static readonly byte[] Magic = "CUSTOSAR"u8.ToArray();
    private const byte Format = 1;
    private const string Owner = "sealed-archive";

    /// <summary>Seals <paramref name="content"/> into <paramref name="output"/> under a new archive key.</summary>
    public static async Task SealAsync(IKeyEncryptionKeys keys, Guid id, ReadOnlyMemory<byte> manifest, Stream content, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(output);
        if (manifest.Length > MaxManifest)
        {
            throw new ArgumentException("The manifest is too large.", nameof(manifest));
        }

        var key = RandomBytes.Get(FieldCipher.KeySize);
        try
        {
            var wrapped = keys.Wrap(key, DataKeys.Context(Owner, id, 1));
            var preamble = Preamble(new SealedArchiveHeader(id, manifest.ToArray(), wrapped));
            await output.WriteAsync(preamble, ct);
            var binding = SHA256.HashData(preamble);
            using var aes = new AesGcm(key, FieldCipher.TagSize);
            var plain = new byte[ChunkSize];
            var next = new byte[ChunkSize];
            var read = await FillAsync(content, plain, ct);
            long counter = 0;
            while (true)
            {
                var nextRead = read == ChunkSize ? await FillAsync(content, next, ct) : 0;
                var last = nextRead == 0;
                await WriteChunkAsync(aes, binding, counter++, last, plain.AsMemory(0, read), output, ct);
                if (last)
                {
                    break;
                }

                (plain, next) = (next, plain);
                read = nextRead;
            }

            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(next);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Reads the clear header (for the manifest) without any key.</summary>
    public static async Task<SealedArchiveHeader> ReadHeaderAsync(Stream input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var magic = new byte[Magic.Length + 1];
        if (await FillAsync(input, magic, ct) != magic.Length || !magic.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new SealedArchiveException("not-an-archive");
        }

        if (magic[^1] != Format)
        {
            throw new SealedArchiveException("unsupported-format");
        }

        var fixedPart = new byte[16 + 4];
        await ReadExactlyAsync(input, fixedPart, ct);
        var id = new Guid(fixedPart.AsSpan(0, 16), bigEndian: true);
        var manifestLength = BinaryPrimitives.ReadInt32BigEndian(fixedPart.AsSpan(16));
        if (manifestLength is < 0 or > MaxManifest)
        {
            throw new SealedArchiveException("not-an-archive");
        }

        var manifest = new byte[manifestLength];
        await ReadExactlyAsync(input, manifest, ct);
        var keyPart = new byte[4 + 2];
        await ReadExactlyAsync(input, keyPart, ct);
        var kekVersion = BinaryPrimitives.ReadInt32BigEndian(keyPart);
        var blob = new byte[BinaryPrimitives.ReadUInt16BigEndian(keyPart.AsSpan(4))];
        await ReadExactlyAsync(input, blob, ct);
        return new SealedArchiveHeader(id, manifest, new WrappedDataKey(kekVersion, blob));
    }

    /// <summary>
    /// Opens an archive into <paramref name="output"/>. Throws <see cref="SealedArchiveException"/> for a file that is not
    /// one, keys that are not the ones it was sealed under (wrong-keys), a changed byte (tampered) or a cut-off end (truncated).
    /// What was written to <paramref name="output"/> before a failure must be thrown away by the caller.
    /// </summary>
    public static async Task<SealedArchiveHeader> OpenAsync(IKeyEncryptionKeys keys, Stream input, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(output);
        var header = await ReadHeaderAsync(input, ct);
        byte[] key;
        try
        {
            key = keys.Unwrap(header.Key, DataKeys.Context(Owner, header.Id, 1));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or KeyNotFoundException or InvalidOperationException)
        {
            throw new SealedArchiveException("wrong-keys", e);
        }

        try
        {
            var binding = SHA256.HashData(Preamble(header));
            using var aes = new AesGcm(key, FieldCipher.TagSize);
            var chunkHeader = new byte[5];
            var cipher = new byte[ChunkSize + FieldCipher.TagSize];
            var plain = new byte[ChunkSize];
            long counter = 0;
            while (true)
            {
                if (await FillAsync(input, chunkHeader, ct) != chunkHeader.Length)
                {
                    throw new SealedArchiveException("truncated");
                }

                var last = chunkHeader[0] == 1;
                var length = BinaryPrimitives.ReadInt32BigEndian(chunkHeader.AsSpan(1));
                if (chunkHeader[0] > 1 || length is < 0 or > ChunkSize)
                {
                    throw new SealedArchiveException("tampered");
                }

                if (await FillAsync(input, cipher.AsMemory(0, length + FieldCipher.TagSize), ct) != length + FieldCipher.TagSize)
                {
                    throw new SealedArchiveException("truncated");
                }

                try
                {
                    aes.Decrypt(Nonce(counter), cipher.AsSpan(0, length), cipher.AsSpan(length, FieldCipher.TagSize), plain.AsSpan(0, length), Associated(binding, counter, last));
                }
                catch (CryptographicException e)
                {
                    throw new SealedArchiveException("tampered", e);
                }

                counter++;
                await output.WriteAsync(plain.AsMemory(0, length), ct);
                if (last)
                {
                    break;
                }
            }

            CryptographicOperations.ZeroMemory(plain);
            if (await FillAsync(input, chunkHeader.AsMemory(0, 1), ct) != 0)
            {
                throw new SealedArchiveException("trailing-data");
            }

            return header;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static async Task WriteChunkAsync(AesGcm aes, byte[] binding, long counter, bool last, ReadOnlyMemory<byte> plain, Stream output, CancellationToken ct)
    {
        var buffer = new byte[5 + plain.Length + FieldCipher.TagSize];
        buffer[0] = last ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(1), plain.Length);
        aes.Encrypt(Nonce(counter), plain.Span, buffer.AsSpan(5, plain.Length), buffer.AsSpan(5 + plain.Length, FieldCipher.TagSize), Associated(binding, counter, last));
        await output.WriteAsync(buffer, ct);
    }

    private static byte[] Preamble(SealedArchiveHeader header)
    {
        var buffer = new byte[Magic.Length + 1 + 16 + 4 + header.Manifest.Length + 4 + 2 + header.Key.Blob.Length];
        var span = buffer.AsSpan();
        Magic.CopyTo(span);
        span[Magic.Length] = Format;
        var at = Magic.Length + 1;
        header.Id.TryWriteBytes(span[at..], bigEndian: true, out _);
        at += 16;
        BinaryPrimitives.WriteInt32BigEndian(span[at..], header.Manifest.Length);
        at += 4;
        header.Manifest.CopyTo(span[at..]);
        at += header.Manifest.Length;
        BinaryPrimitives.WriteInt32BigEndian(span[at..], header.Key.KekVersion);
        at += 4;
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], checked((ushort)header.Key.Blob.Length));
        at += 2;
        header.Key.Blob.CopyTo(span[at..]);
        return buffer;
    }

    private static byte[] Nonce(long counter)
    {
        var nonce = new byte[FieldCipher.NonceSize];
        BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), counter);
        return nonce;
    }

    private static byte[] Associated(byte[] binding, long counter, bool last)
    {
        var data = new byte[binding.Length + 9];
        binding.CopyTo(data, 0);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(binding.Length), counter);
        data[^1] = last ? (byte)1 : (byte)0;
        return data;
    }

    private static async Task ReadExactlyAsync(Stream input, Memory<byte> buffer, CancellationToken ct)
    {
        if (await FillAsync(input, buffer, ct) != buffer.Length)
        {
            throw new SealedArchiveException("truncated");
        }
    }

    private static async Task<int> FillAsync(Stream input, Memory<byte> buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await input.ReadAsync(buffer[total..], ct);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}

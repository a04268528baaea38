using System.Security.Cryptography;
using Custos.Kernel.Crypto;

namespace Custos.Kernel.Tests.Crypto;

/// <summary>SEC-2: backups sealed under the key-encryption key; split data keys (ADR 0018).</summary>
public sealed class SealedArchiveTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
    private readonly string dir = Path.Combine(Path.GetTempPath(), "custos-archive-" + Guid.NewGuid().ToString("N")[..8]);

    private LocalKeyFile NewKeys(string name) => LocalKeyFile.Create(Path.Combine(dir, name), null, Now);

    private static async Task<byte[]> SealAsync(IKeyEncryptionKeys keys, byte[] content, byte[] manifest)
    {
        using var output = new MemoryStream();
        await SealedArchive.SealAsync(keys, Guid.NewGuid(), manifest, new MemoryStream(content), output, default);
        return output.ToArray();
    }

    private static async Task<byte[]> OpenAsync(IKeyEncryptionKeys keys, byte[] archive)
    {
        using var output = new MemoryStream();
        await SealedArchive.OpenAsync(keys, new MemoryStream(archive), output, default);
        return output.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SealedArchive.ChunkSize)]
    [InlineData((2 * SealedArchive.ChunkSize) + 17)]
    public async Task Content_of_any_length_comes_back_as_it_went_in_and_is_not_in_the_file(int length)
    {
        var keys = NewKeys("a.keys");
        var content = RandomNumberGenerator.GetBytes(length);
        var archive = await SealAsync(keys, content, "{\"m\":1}"u8.ToArray());
        Assert.Equal(content, await OpenAsync(keys, archive));
        if (length >= 64)
        {
            Assert.Equal(-1, archive.AsSpan().IndexOf(content.AsSpan(0, 64)));
        }

        var header = await SealedArchive.ReadHeaderAsync(new MemoryStream(archive), default);
        Assert.Equal("{\"m\":1}"u8.ToArray(), header.Manifest);
    }

    [Fact]
    public async Task A_cut_off_changed_extended_or_foreign_file_is_refused_with_its_reason()
    {
        var keys = NewKeys("a.keys");
        var archive = await SealAsync(keys, RandomNumberGenerator.GetBytes((2 * SealedArchive.ChunkSize) + 5), "{}"u8.ToArray());

        // Cut at a chunk boundary: every chunk left is intact, but the last one is missing.
        var firstChunkEnd = archive.Length - (5 + 5 + 16) - (5 + SealedArchive.ChunkSize + 16);
        Assert.Equal("truncated", (await Assert.ThrowsAsync<SealedArchiveException>(() => OpenAsync(keys, archive[..firstChunkEnd]))).Reason);
        Assert.Equal("truncated", (await Assert.ThrowsAsync<SealedArchiveException>(() => OpenAsync(keys, archive[..^3]))).Reason);

        var changed = (byte[])archive.Clone();
        changed[changed.Length / 2] ^= 1;
        Assert.Equal("tampered", (await Assert.ThrowsAsync<SealedArchiveException>(() => OpenAsync(keys, changed))).Reason);

        var manifestChanged = (byte[])archive.Clone();
        manifestChanged[8 + 1 + 16 + 4] = (byte)'[';
        Assert.Equal("tampered", (await Assert.ThrowsAsync<SealedArchiveException>(() => OpenAsync(keys, manifestChanged))).Reason);

        Assert.Equal("trailing-data", (await Assert.ThrowsAsync<SealedArchiveException>(() => OpenAsync(keys, [.. archive, 0]))).Reason);
        Assert.Equal("wrong-keys", (await Assert.ThrowsAsync<SealedArchiveException>(() => OpenAsync(NewKeys("other.keys"), archive))).Reason);
        Assert.Equal("not-an-archive", (await Assert.ThrowsAsync<SealedArchiveException>(() => OpenAsync(keys, "SQLite format 3\0 and more bytes"u8.ToArray()))).Reason);
    }

    [Fact]
    public async Task Retiring_the_key_version_that_sealed_an_archive_makes_it_unreadable()
    {
        var keys = NewKeys("a.keys");
        var archive = await SealAsync(keys, [1, 2, 3], "{}"u8.ToArray());
        keys.Rotate(Now);
        keys.Destroy(1);
        Assert.Equal("wrong-keys", (await Assert.ThrowsAsync<SealedArchiveException>(() => OpenAsync(keys, archive))).Reason);
    }

    [Fact]
    public void A_split_data_key_needs_both_halves_and_survives_rotation_and_splitting_an_old_key()
    {
        var keys = NewKeys("a.keys");
        var id = Guid.NewGuid();
        var context = new FieldContext("customer", id, "name", 1);
        var (cipher, wrapped, share) = DataKeys.CreateSplitCipher(keys, "customer", id, 1);
        var blob = cipher.Encrypt(context, "张三");
        cipher.Dispose();

        using (var opened = DataKeys.OpenCipher(keys, "customer", id, 1, wrapped, share))
        {
            Assert.Equal("张三", opened.DecryptString(context, blob));
        }

        // The database's half alone, or with another share, opens a different key: the value does not decrypt.
        using (var alone = DataKeys.OpenCipher(keys, "customer", id, 1, wrapped))
        {
            Assert.ThrowsAny<CryptographicException>(() => alone.DecryptString(context, blob));
        }

        using (var other = DataKeys.OpenCipher(keys, "customer", id, 1, wrapped, new KeyShare(RandomNumberGenerator.GetBytes(32))))
        {
            Assert.ThrowsAny<CryptographicException>(() => other.DecryptString(context, blob));
        }

        keys.Rotate(Now);
        var rewrapped = DataKeys.Rewrap(keys, "customer", id, 1, wrapped);
        using (var afterRotation = DataKeys.OpenCipher(keys, "customer", id, 1, rewrapped, share))
        {
            Assert.Equal("张三", afterRotation.DecryptString(context, blob));
        }

        // A key stored whole (before splitting) is split without touching its ciphertexts.
        var (whole, wholeWrapped) = DataKeys.CreateCipher(keys, "customer", id, 1);
        var old = whole.Encrypt(context, "李四");
        whole.Dispose();
        var (splitWrapped, newShare) = DataKeys.Split(keys, "customer", id, 1, wholeWrapped);
        using var split = DataKeys.OpenCipher(keys, "customer", id, 1, splitWrapped, newShare);
        Assert.Equal("李四", split.DecryptString(context, old));
        Assert.Throws<CryptographicException>(() => new KeyShare(new byte[16]));
    }

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

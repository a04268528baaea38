using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Custos.Kernel.Crypto;

/// <summary>Where a protected value lives; bound into its ciphertext so it cannot be moved (SEC-1).</summary>
/// <param name="Entity">Entity name, e.g. <c>customer</c>.</param>
/// <param name="RecordId">The record the value belongs to.</param>
/// <param name="Field">Field name, e.g. <c>idNumber</c>.</param>
/// <param name="KeyVersion">Version of the record's data key that encrypted the value.</param>
public readonly record struct FieldContext(string Entity, Guid RecordId, string Field, int KeyVersion);

/// <summary>
/// AES-256-GCM encryption of one field value under a record's data key.
/// <para>Format v1: <c>0x01 ‖ nonce (12) ‖ ciphertext ‖ tag (16)</c>. The associated data is a
/// length-prefixed encoding of (format, entity, record id, field, key version), so a ciphertext copied to
/// another record, field or key version fails authentication.</para>
/// <para>Nonces are 96 random bits. One data key belongs to one record and encrypts at most a few
/// thousand values over its life, far below the 2^32 random-nonce limit of NIST SP 800-38D, so a
/// repeated nonce under one key is not a practical event.</para>
/// </summary>
public static class FieldCipher
{
    public const byte FormatV1 = 0x01;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int KeySize = 32;
    internal const int Overhead = 1 + NonceSize + TagSize;
    private static readonly byte[] Domain = "custos/field/v1"u8.ToArray();

    [KeyMaterial]
    public static byte[] Encrypt(ReadOnlySpan<byte> dataKey, FieldContext context, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        RandomBytes.Fill(nonce);
        return Encrypt(dataKey, context, plaintext, nonce);
    }

    [KeyMaterial]
    public static byte[] Encrypt(ReadOnlySpan<byte> dataKey, FieldContext context, string plaintext) =>
        Encrypt(dataKey, context, Encoding.UTF8.GetBytes(plaintext ?? throw new ArgumentNullException(nameof(plaintext))));

    /// <summary>With a caller-chosen nonce: for known-answer tests only.</summary>
    [KeyMaterial]
    internal static byte[] Encrypt(ReadOnlySpan<byte> dataKey, FieldContext context, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> nonce)
    {
        using var cipher = new RecordCipher(dataKey);
        return cipher.Encrypt(context, plaintext, nonce);
    }

    /// <summary>Decrypts; throws <see cref="CryptographicException"/> for a wrong key, place or a modified ciphertext.</summary>
    [KeyMaterial]
    public static byte[] Decrypt(ReadOnlySpan<byte> dataKey, FieldContext context, ReadOnlySpan<byte> blob)
    {
        using var cipher = new RecordCipher(dataKey);
        return cipher.Decrypt(context, blob);
    }

    [KeyMaterial]
    public static string DecryptString(ReadOnlySpan<byte> dataKey, FieldContext context, ReadOnlySpan<byte> blob) =>
        Encoding.UTF8.GetString(Decrypt(dataKey, context, blob));

    /// <summary>The associated data: every component length-prefixed, so no two contexts encode alike.</summary>
    internal static byte[] AssociatedData(FieldContext context)
    {
        ArgumentException.ThrowIfNullOrEmpty(context.Entity);
        ArgumentException.ThrowIfNullOrEmpty(context.Field);
        var entity = Encoding.UTF8.GetBytes(context.Entity);
        var field = Encoding.UTF8.GetBytes(context.Field);
        var buffer = new byte[(4 + Domain.Length) + (4 + entity.Length) + (4 + 16) + (4 + field.Length) + 4];
        var span = buffer.AsSpan();
        Write(ref span, Domain);
        Write(ref span, entity);
        Write(ref span, context.RecordId.ToByteArray(bigEndian: true));
        Write(ref span, field);
        BinaryPrimitives.WriteInt32BigEndian(span, context.KeyVersion);
        return buffer;
    }

    private static void Write(ref Span<byte> span, scoped ReadOnlySpan<byte> part)
    {
        BinaryPrimitives.WriteInt32BigEndian(span, part.Length);
        part.CopyTo(span[4..]);
        span = span[(4 + part.Length)..];
    }

    [KeyMaterial]
    internal static void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new CryptographicException("A data key is 256 bits.");
        }
    }
}

/// <summary>
/// <see cref="FieldCipher"/> for the many fields of one record: the AES key schedule is done once for the
/// record's data key instead of once per value. Same format and associated data. Not thread-safe.
/// </summary>
public sealed class RecordCipher : IDisposable
{
    private readonly AesGcm aes;

    [KeyMaterial]
    public RecordCipher(ReadOnlySpan<byte> dataKey)
    {
        FieldCipher.CheckKey(dataKey);
        aes = new AesGcm(dataKey, FieldCipher.TagSize);
    }

    /// <summary>Encrypts under a fresh random nonce; no nonce is handed out twice.</summary>
    public byte[] Encrypt(FieldContext context, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[FieldCipher.NonceSize];
        RandomBytes.Fill(nonce);
        return Encrypt(context, plaintext, nonce);
    }

    public byte[] Encrypt(FieldContext context, string plaintext) =>
        Encrypt(context, Encoding.UTF8.GetBytes(plaintext ?? throw new ArgumentNullException(nameof(plaintext))));

    internal byte[] Encrypt(FieldContext context, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> nonce)
    {
        var output = new byte[FieldCipher.Overhead + plaintext.Length];
        output[0] = FieldCipher.FormatV1;
        nonce.CopyTo(output.AsSpan(1, FieldCipher.NonceSize));
        aes.Encrypt(
            nonce,
            plaintext,
            output.AsSpan(1 + FieldCipher.NonceSize, plaintext.Length),
            output.AsSpan(1 + FieldCipher.NonceSize + plaintext.Length, FieldCipher.TagSize),
            FieldCipher.AssociatedData(context));
        return output;
    }

    /// <summary>Decrypts; throws <see cref="CryptographicException"/> for a wrong key, place or a modified ciphertext.</summary>
    public byte[] Decrypt(FieldContext context, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < FieldCipher.Overhead)
        {
            throw new CryptographicException("Protected value is truncated.");
        }

        if (blob[0] != FieldCipher.FormatV1)
        {
            throw new CryptographicException($"Unknown protected-value format {blob[0]}.");
        }

        var length = blob.Length - FieldCipher.Overhead;
        var plaintext = new byte[length];
        aes.Decrypt(
            blob.Slice(1, FieldCipher.NonceSize),
            blob.Slice(1 + FieldCipher.NonceSize, length),
            blob.Slice(1 + FieldCipher.NonceSize + length, FieldCipher.TagSize),
            plaintext,
            FieldCipher.AssociatedData(context));
        return plaintext;
    }

    public string DecryptString(FieldContext context, ReadOnlySpan<byte> blob) => Encoding.UTF8.GetString(Decrypt(context, blob));

    public void Dispose() => aes.Dispose();
}

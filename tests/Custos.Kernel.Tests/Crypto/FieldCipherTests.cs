using System.Security.Cryptography;
using CsCheck;
using Custos.Kernel.Crypto;

namespace Custos.Kernel.Tests.Crypto;

/// <summary>SEC-1: AES-256-GCM per field, bound to entity, record, field and key version.</summary>
public sealed class FieldCipherTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly Guid Record = Guid.Parse("0194a3b2-7c1d-7e5f-8a9b-0c1d2e3f4a5b");
    private static readonly FieldContext Mobile = new("customer", Record, "mobile", 3);

    [Fact]
    public void Known_answer_from_an_independent_implementation()
    {
        // Computed with Python's `cryptography` AESGCM over the documented format and associated data.
        byte[] nonce = [.. Enumerable.Range(100, 12).Select(i => (byte)i)];
        const string expected = "016465666768696a6b6c6d6e6f7928e6574bda62ab085567f79f8fbdff72bf3243caed7b6862989e";

        var blob = FieldCipher.Encrypt(Key, Mobile, "13812345678"u8, nonce);

        Assert.Equal(expected, Convert.ToHexStringLower(blob));
        Assert.Equal(
            "0000000f637573746f732f6669656c642f763100000008637573746f6d6572000000100194a3b27c1d7e5f8a9b0c1d2e3f4a5b000000066d6f62696c6500000003",
            Convert.ToHexStringLower(FieldCipher.AssociatedData(Mobile)));
        Assert.Equal("13812345678", FieldCipher.DecryptString(Key, Mobile, Convert.FromHexString(expected)));
    }

    [Fact]
    public void A_ciphertext_moved_to_another_record_field_or_key_version_fails()
    {
        var blob = FieldCipher.Encrypt(Key, Mobile, "13812345678");

        Assert.ThrowsAny<CryptographicException>(() => FieldCipher.Decrypt(Key, Mobile with { RecordId = Guid.NewGuid() }, blob));
        Assert.ThrowsAny<CryptographicException>(() => FieldCipher.Decrypt(Key, Mobile with { Field = "landline" }, blob));
        Assert.ThrowsAny<CryptographicException>(() => FieldCipher.Decrypt(Key, Mobile with { Entity = "partner" }, blob));
        Assert.ThrowsAny<CryptographicException>(() => FieldCipher.Decrypt(Key, Mobile with { KeyVersion = 4 }, blob));
        Assert.ThrowsAny<CryptographicException>(() => FieldCipher.Decrypt(RandomNumberGenerator.GetBytes(32), Mobile, blob));
    }

    [Fact]
    public void Unknown_formats_and_truncated_blobs_are_refused()
    {
        var blob = FieldCipher.Encrypt(Key, Mobile, "x");
        blob[0] = 0x02;
        Assert.ThrowsAny<CryptographicException>(() => FieldCipher.Decrypt(Key, Mobile, blob));
        Assert.ThrowsAny<CryptographicException>(() => FieldCipher.Decrypt(Key, Mobile, new byte[10]));
        Assert.ThrowsAny<CryptographicException>(() => FieldCipher.Encrypt(new byte[16], Mobile, "x"));
    }

    [Fact]
    public void Round_trips_and_any_flipped_bit_is_detected() =>
        Gen.String.Select(Gen.Int[0, 10_000]).Sample((text, bit) =>
        {
            var blob = FieldCipher.Encrypt(Key, Mobile, text);
            if (FieldCipher.DecryptString(Key, Mobile, blob) != text)
            {
                return false;
            }

            var tampered = (byte[])blob.Clone();
            var position = bit % (tampered.Length * 8);
            tampered[position / 8] ^= (byte)(1 << (position % 8));
            try
            {
                FieldCipher.Decrypt(Key, Mobile, tampered);
                return false;
            }
            catch (CryptographicException)
            {
                return true;
            }
        });

    [Fact]
    public void The_same_value_encrypts_differently_each_time()
    {
        var nonces = Enumerable.Range(0, 10_000).Select(_ => Convert.ToHexString(FieldCipher.Encrypt(Key, Mobile, "13812345678").AsSpan(1, 12))).ToList();
        Assert.Equal(nonces.Count, nonces.Distinct().Count());
    }

    [Fact]
    public void A_record_cipher_writes_the_same_format_and_nonces_never_repeat()
    {
        using var record = new RecordCipher(Key);
        byte[] nonce = [.. Enumerable.Range(100, 12).Select(i => (byte)i)];
        Assert.Equal(FieldCipher.Encrypt(Key, Mobile, "13812345678"u8, nonce), record.Encrypt(Mobile, "13812345678"u8, nonce));

        var blobs = Enumerable.Range(0, 2000).Select(_ => record.Encrypt(Mobile, "13812345678")).ToList();
        Assert.All(blobs, b => Assert.Equal("13812345678", FieldCipher.DecryptString(Key, Mobile, b)));
        Assert.Equal(blobs.Count, blobs.Select(b => Convert.ToHexString(b.AsSpan(1, FieldCipher.NonceSize))).Distinct().Count());
        Assert.ThrowsAny<CryptographicException>(() => record.Decrypt(Mobile with { Field = "landline" }, blobs[0]));
        Assert.ThrowsAny<CryptographicException>(() => new RecordCipher(new byte[16]));
    }

    [Fact]
    public void Pooled_random_bytes_are_never_handed_out_twice()
    {
        var draws = Enumerable.Range(0, 5000).Select(i => Convert.ToHexString(RandomBytes.Get(i % 3 == 0 ? 32 : 12))).ToList();
        Assert.Equal(draws.Count, draws.Distinct().Count());
        var fromThreads = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4000, _ => fromThreads.Add(Convert.ToHexString(RandomBytes.Get(12))));
        Assert.Equal(fromThreads.Count, fromThreads.Distinct().Count());
        Assert.DoesNotContain(draws, d => d.Trim('0').Length == 0);
    }
}

using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Custos.Kernel.Crypto;

namespace Custos.Benchmarks;

/// <summary>
/// Per-field encryption against raw <see cref="AesGcm"/> on the same 11-byte value (a mobile number): the
/// raw primitive is the limit; the ratio shows what the format, associated data and allocation add.
/// </summary>
[MemoryDiagnoser]
public class FieldCipherBenchmarks
{
    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] plaintext = Encoding.UTF8.GetBytes("13812345678");
    private readonly byte[] nonce = RandomNumberGenerator.GetBytes(12);
    private readonly byte[] ciphertext = new byte[11];
    private readonly byte[] tag = new byte[16];
    private readonly byte[] rawAad = new byte[64];
    private readonly FieldContext context = new("customer", Guid.NewGuid(), "mobile", 1);
    private byte[] blob = [];
    private AesGcm aes = null!;

    [GlobalSetup]
    public void Setup()
    {
        aes = new AesGcm(key, 16);
        blob = FieldCipher.Encrypt(key, context, plaintext);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, rawAad);
    }

    [GlobalCleanup]
    public void Cleanup() => aes.Dispose();

    [Benchmark(Baseline = true)]
    public void RawAesGcmEncrypt() => aes.Encrypt(nonce, plaintext, ciphertext, tag, rawAad);

    [Benchmark]
    public byte[] FieldEncrypt() => FieldCipher.Encrypt(key, context, plaintext);

    [Benchmark]
    public void RawAesGcmDecrypt() => aes.Decrypt(nonce, ciphertext, tag, plaintext, rawAad);

    [Benchmark]
    public byte[] FieldDecrypt() => FieldCipher.Decrypt(key, context, blob);
}

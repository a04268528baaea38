using System.Security.Cryptography;

namespace Custos.Kernel.Crypto;

/// <summary>
/// The system's cryptographic generator, drawn from in blocks: one call per 512 bytes instead of one per key
/// or nonce, which on some machines costs microseconds each. Bytes are handed out once and wiped from the
/// block as they go; each thread has its own block.
/// </summary>
internal static class RandomBytes
{
    private const int BlockSize = 512;

    [ThreadStatic]
    private static byte[]? block;

    [ThreadStatic]
    private static int next;

    public static void Fill(Span<byte> destination)
    {
        if (destination.Length > BlockSize / 4)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        if (block is null || next + destination.Length > BlockSize)
        {
            block ??= new byte[BlockSize];
            RandomNumberGenerator.Fill(block);
            next = 0;
        }

        var source = block.AsSpan(next, destination.Length);
        source.CopyTo(destination);
        CryptographicOperations.ZeroMemory(source);
        next += destination.Length;
    }

    public static byte[] Get(int count)
    {
        var bytes = new byte[count];
        Fill(bytes);
        return bytes;
    }
}

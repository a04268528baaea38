using System.Security.Cryptography;
using System.Text;
using Custos.Kernel.Crypto;
using Custos.Features;

namespace Custos.Features.Keys;

/// <summary>
/// The installation's own secrets at rest — authenticator (TOTP) keys, the web's data-protection keys — encrypted
/// like customer values (AES-256-GCM) under a data key wrapped by the key-encryption key (key file or HSM), and
/// bound to what they are for: a ciphertext moved to another purpose does not decrypt.
/// </summary>
[Contract]
public sealed class SecretBox(RecordCipher cipher) : IDisposable
{
    public const string Owner = "installation-secrets";

    private readonly Lock gate = new();

    public string Protect(string purpose, string plaintext)
    {
        lock (gate)
        {
            return "v1:" + Convert.ToBase64String(cipher.Encrypt(Context(purpose), plaintext));
        }
    }

    /// <summary>The secret, or throws <see cref="CryptographicException"/> for a changed or misplaced ciphertext.</summary>
    public string Unprotect(string purpose, string protectedText)
    {
        ArgumentNullException.ThrowIfNull(protectedText);
        if (!protectedText.StartsWith("v1:", StringComparison.Ordinal))
        {
            throw new CryptographicException("Not a protected secret.");
        }

        lock (gate)
        {
            return Encoding.UTF8.GetString(cipher.Decrypt(Context(purpose), Convert.FromBase64String(protectedText[3..])));
        }
    }

    /// <summary>A file kept as a secret (a scanned agreement): encrypted and bound to <paramref name="purpose"/>.</summary>
    public byte[] ProtectBytes(string purpose, ReadOnlySpan<byte> plaintext)
    {
        lock (gate)
        {
            return cipher.Encrypt(Context(purpose), plaintext);
        }
    }

    /// <summary>The file, or throws <see cref="CryptographicException"/> for a changed or misplaced ciphertext.</summary>
    public byte[] UnprotectBytes(string purpose, ReadOnlySpan<byte> ciphertext)
    {
        lock (gate)
        {
            return cipher.Decrypt(Context(purpose), ciphertext);
        }
    }

    public static bool IsProtected(string? text) => text?.StartsWith("v1:", StringComparison.Ordinal) == true;

    public void Dispose() => cipher.Dispose();

    private static FieldContext Context(string purpose) => new(Owner, Guid.Empty, purpose, 1);
}

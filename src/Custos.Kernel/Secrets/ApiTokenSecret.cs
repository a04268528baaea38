using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Custos.Kernel.Secrets;

/// <summary>
/// Bearer secrets for integrations. The secret is shown once; only its SHA-256 digest is stored, so a
/// copy of the database does not yield a usable token. 256 bits of entropy make a salted slow hash
/// unnecessary (there is nothing to guess).
/// </summary>
public static class ApiTokenSecret
{
    /// <summary>Every token starts with this, so secret scanners and log redaction can recognise it.</summary>
    public const string Prefix = "cst_";

    /// <summary>A new random token: <c>cst_</c> and 43 base64url characters.</summary>
    public static string Generate()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Prefix + Base64Url.EncodeToString(bytes);
    }

    /// <summary>Lower-case hex SHA-256 of the token, the only form that is stored.</summary>
    public static string Hash(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    /// <summary>Cheap shape check before any database look-up.</summary>
    public static bool LooksLikeToken(string? value) =>
        value is { Length: 47 } && value.StartsWith(Prefix, StringComparison.Ordinal);
}

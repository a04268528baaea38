using System.Globalization;
using System.Text;
using Custos.Kernel.Crypto;

namespace Custos.Kernel.Recognisers;

/// <summary>
/// Canonical forms used before validation and blind indexing: full-width characters become ASCII, spaces and
/// dashes go, <c>x</c> becomes <c>X</c>, a mainland <c>+86</c> prefix is dropped from phone numbers.
/// </summary>
public static class Normalise
{
    /// <summary>Full-width ASCII (U+FF01–U+FF5E) and the ideographic space to their ASCII forms.</summary>
    public static string Width(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u3000' => ' ',
                _ => c,
            });
        }

        return sb.ToString();
    }

    /// <summary>Digits and letters only (ASCII after width folding), upper-cased.</summary>
    public static string Compact(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in Width(value))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                sb.Append(char.ToUpperInvariant(c));
            }
        }

        return sb.ToString();
    }

    public static string Phone(string value)
    {
        var digits = Compact(value);
        if (digits.StartsWith("86", StringComparison.Ordinal) && digits.Length == 13)
        {
            digits = digits[2..];
        }

        return digits;
    }

    public static string Email(string value) => Width(value).Trim().ToLowerInvariant();

    /// <summary>Names: width-folded, inner whitespace removed, Unicode-normalised (NFKC), Latin letters upper-cased.</summary>
    public static string Name(string value) =>
        string.Concat(Width(value).Normalize(NormalizationForm.FormKC).Where(c => !char.IsWhiteSpace(c) && c != '·' && c != '•'))
            .ToUpper(CultureInfo.InvariantCulture);

    public static string For(IndexedKind kind, string value) => kind switch
    {
        IndexedKind.Phone => Phone(value),
        IndexedKind.IdNumber or IndexedKind.CardNumber => Compact(value),
        IndexedKind.Email => Email(value),
        IndexedKind.Name => Name(value),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

using System.Globalization;

namespace Custos.Kernel.Recognisers;

/// <summary>
/// PRC resident identity card number (GB 11643-1999): six-digit region code, eight-digit birth date,
/// three-digit sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.
/// </summary>
public static class ResidentIdNumber
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    /// <summary>Province-level codes of GB/T 2260 that can begin a resident ID number.</summary>
    private static readonly HashSet<int> ProvinceCodes =
    [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 91,
    ];

    /// <summary>The check character for the first seventeen digits.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
        {
            throw new ArgumentException("Seventeen digits are required.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var c = first17[i];
            if (c is < '0' or > '9')
            {
                throw new ArgumentException("Only digits are allowed.", nameof(first17));
            }

            sum += (c - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    /// <summary>Validates a normalised number; <paramref name="today"/> bounds the birth date.</summary>
    public static ResidentIdCheck Validate(string? value, DateOnly today)
    {
        if (string.IsNullOrEmpty(value) || value.Length != 18)
        {
            return ResidentIdCheck.WrongLength;
        }

        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                return ResidentIdCheck.NotDigits;
            }
        }

        var last = char.ToUpperInvariant(value[17]);
        if (!char.IsAsciiDigit(last) && last != 'X')
        {
            return ResidentIdCheck.NotDigits;
        }

        var province = int.Parse(value.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        if (!ProvinceCodes.Contains(province))
        {
            return ResidentIdCheck.UnknownRegion;
        }

        if (!DateOnly.TryParseExact(value.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)
            || birth.Year < 1800 || birth > today)
        {
            return ResidentIdCheck.InvalidBirthDate;
        }

        return CheckCharacter(value.AsSpan(0, 17)) == last ? ResidentIdCheck.Valid : ResidentIdCheck.WrongCheckCharacter;
    }
}

/// <summary>Outcome of <see cref="ResidentIdNumber.Validate"/>.</summary>
public enum ResidentIdCheck
{
    Valid,
    WrongLength,
    NotDigits,
    UnknownRegion,
    InvalidBirthDate,
    WrongCheckCharacter,
}

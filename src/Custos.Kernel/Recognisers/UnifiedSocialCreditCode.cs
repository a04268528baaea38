namespace Custos.Kernel.Recognisers;

/// <summary>
/// Unified social credit code of an organisation (GB 32100-2015): 18 characters from
/// <c>0-9A-HJ-NPQRTUWXY</c>; the last is a check character, MOD 31 over the weighted first seventeen.
/// </summary>
public static class UnifiedSocialCreditCode
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    public static char? CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
        {
            return null;
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var index = Alphabet.IndexOf(first17[i], StringComparison.Ordinal);
            if (index < 0)
            {
                return null;
            }

            sum += index * Weights[i];
        }

        return Alphabet[(31 - (sum % 31)) % 31];
    }

    public static bool IsValid(string? value) =>
        value is { Length: 18 } && CheckCharacter(value.AsSpan(0, 17)) is { } check && check == value[17];
}

namespace Custos.Kernel.Recognisers;

/// <summary>Mainland China mobile numbers: eleven digits, <c>1</c> followed by a network digit 3–9.</summary>
public static class MobileNumber
{
    /// <summary>True when <paramref name="value"/> is a normalised mainland mobile number.</summary>
    public static bool IsValid(string? value)
    {
        if (value is null || value.Length != 11 || value[0] != '1' || value[1] is < '3' or > '9')
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

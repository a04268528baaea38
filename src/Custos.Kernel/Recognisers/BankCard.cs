namespace Custos.Kernel.Recognisers;

/// <summary>Bank card numbers: 12–19 digits with a valid Luhn (ISO/IEC 7812) check digit.</summary>
public static class BankCard
{
    public static bool IsValid(string? value)
    {
        if (value is null || value.Length is < 12 or > 19)
        {
            return false;
        }

        var sum = 0;
        var doubleIt = false;
        for (var i = value.Length - 1; i >= 0; i--)
        {
            var c = value[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            var d = c - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }
}

using System.Security.Cryptography;
using Custos.Kernel.Recognisers;

namespace Custos.Tests.Infrastructure;

/// <summary>Unified social credit codes that pass the check character, a new one each call (for partners registered by tests).</summary>
public static class CreditCodes
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    public static string Next()
    {
        var first17 = "91110000" + new string([.. Enumerable.Range(0, 9).Select(_ => Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)])]);
        return first17 + UnifiedSocialCreditCode.CheckCharacter(first17);
    }
}

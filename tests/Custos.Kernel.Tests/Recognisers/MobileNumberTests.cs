using Custos.Kernel.Recognisers;

namespace Custos.Kernel.Tests.Recognisers;

public sealed class MobileNumberTests
{
    [Theory]
    [InlineData("13812345678", true)]
    [InlineData("19912345678", true)]
    [InlineData("12812345678", false)] // no 12x networks
    [InlineData("1381234567", false)]
    [InlineData("138123456789", false)]
    [InlineData("1381234567a", false)]
    [InlineData("23812345678", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Mainland_mobile_numbers(string? value, bool valid) => Assert.Equal(valid, MobileNumber.IsValid(value));
}

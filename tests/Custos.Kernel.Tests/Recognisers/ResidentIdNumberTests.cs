using Custos.Kernel.Recognisers;
using CsCheck;

namespace Custos.Kernel.Tests.Recognisers;

/// <summary>GB 11643-1999 resident identity numbers: region, birth date, ISO 7064 MOD 11-2 check character.</summary>
public sealed class ResidentIdNumberTests
{
    private static readonly DateOnly Today = new(2026, 11, 29);

    [Theory]
    // The worked example of GB 11643-1999 and widely published valid numbers.
    [InlineData("11010519491231002X")]
    [InlineData("440524188001010014")]
    [InlineData("110101199003072316")]
    [InlineData("310104198507221233")]
    [InlineData("310104198507221234", false)] // wrong check character (the valid one is 3)
    public void Published_examples_are_recognised(string number, bool valid = true) =>
        Assert.Equal(valid ? ResidentIdCheck.Valid : ResidentIdCheck.WrongCheckCharacter, ResidentIdNumber.Validate(number, Today));

    [Theory]
    [InlineData("11010519491231002", ResidentIdCheck.WrongLength)]
    [InlineData("1101051949123100211", ResidentIdCheck.WrongLength)]
    [InlineData("11010519491231002Y", ResidentIdCheck.NotDigits)]
    [InlineData("1101051949123A002X", ResidentIdCheck.NotDigits)]
    [InlineData("990105194912310024", ResidentIdCheck.UnknownRegion)]
    [InlineData("110105194902300021", ResidentIdCheck.InvalidBirthDate)] // 30 February
    [InlineData("110105203001010010", ResidentIdCheck.InvalidBirthDate)] // born in the future
    [InlineData("110105194912310021", ResidentIdCheck.WrongCheckCharacter)]
    public void Bad_numbers_say_what_is_wrong(string number, ResidentIdCheck expected) =>
        Assert.Equal(expected, ResidentIdNumber.Validate(number, Today));

    [Fact]
    public void The_check_character_follows_the_standard_weights()
    {
        Assert.Equal('X', ResidentIdNumber.CheckCharacter("11010519491231002"));
        Assert.Equal('4', ResidentIdNumber.CheckCharacter("44052418800101001"));
        Assert.Equal('3', ResidentIdNumber.CheckCharacter("31010419850722123"));
        Assert.Equal('6', ResidentIdNumber.CheckCharacter("11010119900307231"));
    }

    [Fact]
    public void Lower_case_x_is_accepted() =>
        Assert.Equal(ResidentIdCheck.Valid, ResidentIdNumber.Validate("11010519491231002x", Today));

    [Fact]
    public void Changing_any_single_digit_is_detected() =>
        Gen.Int[0, 16].Select(Gen.Int[1, 9]).Sample((position, delta) =>
        {
            var chars = "110101199003072316".ToCharArray();
            chars[position] = (char)('0' + ((chars[position] - '0' + delta) % 10));
            var result = ResidentIdNumber.Validate(new string(chars), Today);
            return result != ResidentIdCheck.Valid;
        });
}

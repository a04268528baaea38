using Custos.Kernel.Masking;

namespace Custos.Kernel.Tests.Masking;

/// <summary>ACC-3 default masks.</summary>
public sealed class MaskTests
{
    [Theory]
    [InlineData(MaskKind.Mobile, "13812345678", "138****5678")]
    [InlineData(MaskKind.IdNumber, "11010519491231002X", "110***********002X")]
    [InlineData(MaskKind.BankCard, "6222021234567890", "622202******7890")]
    [InlineData(MaskKind.Name, "张伟", "张*")]
    [InlineData(MaskKind.Name, "王小明", "王**")]
    [InlineData(MaskKind.Name, "欧阳娜娜", "欧阳**")]
    [InlineData(MaskKind.Name, "欧阳", "欧*")]
    [InlineData(MaskKind.Name, "张", "张")]
    [InlineData(MaskKind.Address, "北京市海淀区中关村大街1号", "北京市海淀区****")]
    [InlineData(MaskKind.Address, "浙江省杭州市西湖区文三路100号", "浙江省杭州市西湖区****")]
    [InlineData(MaskKind.Email, "zhang.wei@example.com", "z***@example.com")]
    [InlineData(MaskKind.Landline, "010-62345678", "010-****5678")]
    [InlineData(MaskKind.Full, "500000.00", "******")]
    [InlineData(MaskKind.Mobile, "1234", "****")]
    [InlineData(MaskKind.Mobile, "", "")]
    public void Default_masks(MaskKind kind, string value, string expected) => Assert.Equal(expected, Masks.Apply(kind, value));

    [Theory]
    [InlineData("投诉物流延误", 1, 0, "投*****")]
    [InlineData("010-62345678", 0, 4, "********5678")]
    [InlineData("ab", 1, 1, "**")]
    public void Keep_ends_with_either_end_empty(string value, int head, int tail, string expected) =>
        Assert.Equal(expected, Masks.KeepEnds(value, head, tail));

    [Fact]
    public void A_mask_never_contains_the_hidden_middle()
    {
        var masked = Masks.Apply(MaskKind.IdNumber, "11010519491231002X");
        Assert.DoesNotContain("19491231", masked, StringComparison.Ordinal);
        Assert.Equal(18, masked.Length);
    }
}

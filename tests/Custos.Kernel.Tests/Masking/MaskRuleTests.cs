using Custos.Kernel.Classification;
using Custos.Kernel.Masking;

namespace Custos.Kernel.Tests.Masking;

/// <summary>Masks and levels are configurable (ACC-3, CLS-1); what cannot be used is refused with the field named.</summary>
public sealed class MaskRuleTests
{
    [Theory]
    [InlineData("Mobile", "13812345678", "138****5678")]
    [InlineData("name", "欧阳娜娜", "欧阳**")]
    [InlineData("keep:0:4", "13812345678", "*******5678")]
    [InlineData("keep:6:0", "6222021234567890", "622202**********")]
    [InlineData(" Keep:1:1 ", "张三丰", "张*丰")]
    [InlineData("Full", "年收入30万", "******")]
    public void A_configured_mask_is_read_and_applied(string text, string value, string masked)
    {
        Assert.True(MaskRule.TryParse(text, out var rule));
        Assert.Equal(masked, rule.Apply(value));
        Assert.True(MaskRule.TryParse(rule.ToString(), out var again));
        Assert.Equal(rule, again);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Stars")]
    [InlineData("keep:3")]
    [InlineData("keep:3:40")]
    [InlineData("keep:-1:2")]
    [InlineData("Keep")]
    [InlineData("3")]
    public void A_mask_that_means_nothing_is_refused(string text) => Assert.False(MaskRule.TryParse(text, out _));

    [Fact]
    public void Overrides_change_only_the_named_fields_and_every_problem_is_reported()
    {
        var changed = FieldCatalogue.Default.With(
            new Dictionary<string, FieldOverride>
            {
                [FieldCatalogue.Income] = new(Sensitivity.Core, null),
                [FieldCatalogue.Mobile] = new(null, new MaskRule(MaskKind.Keep, 0, 4)),
            },
            out var none);

        Assert.Empty(none);
        Assert.Equal(Sensitivity.Core, changed.Find(FieldCatalogue.Income)!.Level);
        Assert.Equal(MaskKind.Full, changed.Find(FieldCatalogue.Income)!.Mask.Kind);
        Assert.Equal(Sensitivity.General, changed.Find(FieldCatalogue.Mobile)!.Level);
        Assert.Equal("*******5678", changed.Find(FieldCatalogue.Mobile)!.Mask.Apply("13812345678"));
        Assert.Equal(Sensitivity.Sensitive, FieldCatalogue.Default.Find(FieldCatalogue.Income)!.Level); // the defaults are untouched
        Assert.Equal(FieldCatalogue.Default.Fields.Select(f => f.Name), changed.Fields.Select(f => f.Name));

        var same = FieldCatalogue.Default.With(
            new Dictionary<string, FieldOverride> { ["shoeSize"] = new(Sensitivity.Core, null), [FieldCatalogue.Assets] = new((Sensitivity)4, null) },
            out var problems);
        Assert.Same(FieldCatalogue.Default, same);
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("shoeSize:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("assets: level 4", StringComparison.Ordinal));
    }
}

/// <summary>Text that looks like something else: refused wherever people type values (SEC-4).</summary>
public sealed class ForbiddenCharacterTests
{
    [Theory]
    [InlineData("decoy\u200b")] // zero-width space
    [InlineData("de\u00adcoy")] // soft hyphen
    [InlineData("decoy\u200d")] // zero-width joiner
    [InlineData("\ufeffdecoy")] // byte-order mark
    [InlineData("invoice\u202efdp.exe")] // right-to-left override
    [InlineData("a\u2066b\u2069")] // isolate
    [InlineData("bell\u0007")]
    [InlineData("line\u2028break")]
    public void Invisible_and_control_characters_are_forbidden(string value) => Assert.True(Custos.Kernel.Classification.FieldDefinition.HasForbiddenCharacters(value));

    [Theory]
    [InlineData("张三丰")]
    [InlineData("O'Brien-Smith")]
    [InlineData("第一行\n第二行\t缩进")]
    [InlineData("Zoë 😀")]
    public void Ordinary_text_passes(string value) => Assert.False(Custos.Kernel.Classification.FieldDefinition.HasForbiddenCharacters(value));
}

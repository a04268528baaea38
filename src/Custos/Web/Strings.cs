namespace Custos.Web;

/// <summary>
/// Marker for the user-facing text: <c>Strings.resx</c> (zh-CN, the default) and <c>Strings.en.resx</c> in
/// <c>Web/</c> and in each feature's folder (<see cref="FeatureStrings"/>). Every label and message goes through
/// <c>IStringLocalizer&lt;Strings&gt;</c>.
/// </summary>
#pragma warning disable CA1052 // A marker type for the localiser; it must be instantiable as a type argument only.
public sealed class Strings
{
    private Strings()
    {
    }
}
#pragma warning restore CA1052

namespace Custos.Web;

/// <summary>
/// Marker for the one table of user-facing text: <c>Web/Strings.resx</c> (zh-CN, the default) and
/// <c>Web/Strings.en.resx</c>. Every label and message goes through <c>IStringLocalizer&lt;Strings&gt;</c>.
/// </summary>
#pragma warning disable CA1052 // A marker type for the localiser; it must be instantiable as a type argument only.
public sealed class Strings
{
    private Strings()
    {
    }
}
#pragma warning restore CA1052

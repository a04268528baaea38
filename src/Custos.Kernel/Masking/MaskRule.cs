using System.Globalization;

namespace Custos.Kernel.Masking;

/// <summary>
/// How a field is masked (ACC-3): one of the named masks, or <c>keep:H:T</c> — keep the first H and last T
/// characters and star the rest. Written in configuration as the mask's name (<c>Mobile</c>, <c>Name</c>,
/// <c>Full</c>…) or as <c>keep:3:4</c>.
/// </summary>
public readonly record struct MaskRule(MaskKind Kind, int Head = 0, int Tail = 0)
{
    /// <summary>The most a <c>keep</c> mask may leave visible at either end.</summary>
    public const int MaxKept = 8;

    public static implicit operator MaskRule(MaskKind kind) => new(kind);

    public string Apply(string? value) =>
        Kind == MaskKind.Keep ? string.IsNullOrEmpty(value) ? "" : Masks.KeepEnds(value, Head, Tail) : Masks.Apply(Kind, value);

    public static bool TryParse(string? text, out MaskRule rule)
    {
        rule = default;
        var trimmed = text?.Trim() ?? "";
        var parts = trimmed.Split(':');
        if (parts is ["keep" or "Keep", var head, var tail]
            && int.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            && int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var t)
            && h <= MaxKept && t <= MaxKept)
        {
            rule = new MaskRule(MaskKind.Keep, h, t);
            return true;
        }

        if (parts.Length == 1 && Enum.TryParse<MaskKind>(trimmed, ignoreCase: true, out var kind) && kind != MaskKind.Keep && Enum.IsDefined(kind)
            && !trimmed.All(char.IsAsciiDigit))
        {
            rule = kind;
            return true;
        }

        return false;
    }

    public override string ToString() =>
        Kind == MaskKind.Keep ? string.Create(CultureInfo.InvariantCulture, $"keep:{Head}:{Tail}") : Kind.ToString();
}

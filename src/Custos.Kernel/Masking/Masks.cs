using System.Globalization;

namespace Custos.Kernel.Masking;

/// <summary>The display masks of ACC-3: what people see unless a value is revealed for a stated purpose.</summary>
public enum MaskKind
{
    Mobile,
    Landline,
    IdNumber,
    BankCard,
    Name,
    Address,
    Email,

    /// <summary>Nothing shown: for amounts, notes and anything without a safer partial form.</summary>
    Full,

    /// <summary>First and last characters kept, as many as the <see cref="MaskRule"/> says.</summary>
    Keep,
}

public static class Masks
{
    public const char Star = '*';

    private static readonly string[] CompoundSurnames =
    [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "令狐", "夏侯", "独孤", "南宫", "西门", "端木", "轩辕", "申屠",
    ];

    private static readonly char[] DistrictEnds = ['区', '县', '旗'];

    public static string Apply(MaskKind kind, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        return kind switch
        {
            MaskKind.Mobile => KeepEnds(value, 3, 4),
            MaskKind.Landline => Landline(value),
            MaskKind.IdNumber => KeepEnds(value, 3, 4),
            MaskKind.BankCard => KeepEnds(value, 6, 4),
            MaskKind.Name => Name(value),
            MaskKind.Address => Address(value),
            MaskKind.Email => Email(value),
            _ => new string(Star, 6),
        };
    }

    /// <summary>Keeps <paramref name="head"/> and <paramref name="tail"/> characters; too short a value is masked whole.</summary>
    public static string KeepEnds(string value, int head, int tail)
    {
        ArgumentNullException.ThrowIfNull(value);
        var info = new StringInfo(value);
        var length = info.LengthInTextElements;
        if (length <= head + tail)
        {
            return new string(Star, length);
        }

        var start = head == 0 ? "" : info.SubstringByTextElements(0, head);
        var end = tail == 0 ? "" : info.SubstringByTextElements(length - tail);
        return start + new string(Star, length - head - tail) + end;
    }

    /// <summary>Keeps the surname: 张伟 → 张*, 欧阳娜娜 → 欧阳**; Latin names keep their first letter.</summary>
    public static string Name(string value)
    {
        var trimmed = value.Trim();
        var info = new StringInfo(trimmed);
        var length = info.LengthInTextElements;
        if (length <= 1)
        {
            return trimmed;
        }

        var surname = CompoundSurnames.FirstOrDefault(s => trimmed.StartsWith(s, StringComparison.Ordinal) && length > s.Length) is { } compound
            ? compound.Length
            : 1;
        return info.SubstringByTextElements(0, surname) + new string(Star, length - surname);
    }

    /// <summary>Down to the district: 北京市海淀区中关村大街1号 → 北京市海淀区****.</summary>
    public static string Address(string value)
    {
        var trimmed = value.Trim();
        var end = trimmed.IndexOfAny(DistrictEnds);
        var keep = end >= 0 ? end + 1 : Math.Min(6, trimmed.Length / 2);
        return trimmed[..keep] + new string(Star, 4);
    }

    /// <summary>First character and domain: zhang.wei@example.com → z***@example.com.</summary>
    public static string Email(string value)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 ? new string(Star, 6) : value[0] + new string(Star, 3) + value[at..];
    }

    /// <summary>Area code and the last four digits: 010-62345678 → 010-****5678.</summary>
    public static string Landline(string value)
    {
        var dash = value.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? value[..(dash + 1)] + KeepEnds(value[(dash + 1)..], 0, 4) : KeepEnds(value, 3, 4);
    }
}

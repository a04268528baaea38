using System.Text;

namespace Custos.Web;

/// <summary>
/// Writing CSV cells (RFC 4180) for exports opened in spreadsheets: quoted when needed, and a cell that a
/// spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) is prefixed with an
/// apostrophe so it stays text.
/// </summary>
public static class CsvText
{
    public static string Line(IEnumerable<string?> cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    /// <summary>UTF-8 with a byte-order mark, which spreadsheet programs need to read Chinese text correctly.</summary>
    public static readonly Encoding Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
}

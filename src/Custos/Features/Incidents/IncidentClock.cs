using Microsoft.Extensions.Localization;

namespace Custos.Features.Incidents;

/// <summary>How a legal clock reads on a page: reported, time left, or overdue by how long.</summary>
[Contract]
public static class IncidentClock
{
    public static string Describe(IStringLocalizer text, DateTimeOffset? due, DateTimeOffset? done, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (due is not { } d)
        {
            return "";
        }

        if (done is not null)
        {
            return text["Clock.Done"];
        }

        var left = d - now;
        var span = left.Duration();
        var hours = (int)span.TotalHours;
        return left > TimeSpan.Zero ? text["Clock.Left", hours, span.Minutes] : text["Clock.Overdue", hours, span.Minutes];
    }
}

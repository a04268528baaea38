using System.Globalization;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Incidents;

/// <summary>How an affected customer is told (PIPL art. 57): by text message to their mobile, e-mail, a letter to their address, or — with none of these kept — by public announcement.</summary>
public enum NoticeChannel
{
    Sms = 0,
    Email = 1,
    Letter = 2,
    Announcement = 3,
}

public sealed partial class IncidentService
{
    /// <summary>The incident report (INC-3) as PDF or XLSX: every field, the answers, the clocks, the notice, and the timeline; recorded.</summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ExportAsync(Guid id, string format, IStringLocalizer text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        format = Web.Documents.RegisterDocument.CheckFormat(format);
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentExport, ct, allowClosed: true);
        var view = await ViewAsync(incident, true, ct);
        var offset = caller.Engine.Document.UtcOffset;
        string At(DateTimeOffset? at) => at is { } a ? a.ToOffset(offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
        string YesNo(bool? b) => b is { } v ? text[v ? "Incident.Yes" : "Incident.No"] : "";
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { text["Incident.Number"].Value, view.Number },
            new[] { text["Incident.TitleField"].Value, view.Title },
            new[] { text["Incident.Description"].Value, view.Description },
            new[] { text["Incident.Source"].Value, text["IncidentSource." + view.Source] + (view.SourceRef is null ? "" : " " + view.SourceRef) },
            new[] { text["Incident.ReportedBy"].Value, $"{view.ReportedBy} {At(view.ReportedAt)}" },
            new[] { text["Incident.DiscoveredAt"].Value, At(view.DiscoveredAt) },
            new[] { text["Incident.Suspect"].Value, view.SuspectName ?? "" },
            new[] { text["Incident.Copy"].Value, view.CopySerial ?? "" },
            new[] { text["Incident.Partner"].Value, view.PartnerName ?? "" },
            new[] { text["Incident.Status"].Value, text["IncidentStatus." + view.Status] },
            new[] { text["Incident.BeyondCircle"].Value, YesNo(view.WentBeyondCircle) },
            new[] { text["Incident.NoneLearnt"].Value, YesNo(view.NoneLearntShown) },
            new[] { text["Incident.IsLeak"].Value, YesNo(view.IsLeak) },
            new[] { text["Incident.Affected"].Value, view.AffectedPeople?.ToString(CultureInfo.InvariantCulture) ?? "" },
            new[] { text["Incident.ScopeCustomers"].Value, view.ScopeCustomers?.ToString(CultureInfo.InvariantCulture) ?? "" },
            new[] { text["Incident.Grade"].Value, view.Grade is { } g ? text["IncidentGrade." + g] : "" },
            new[] { text["Incident.AuthorityDue"].Value, At(view.AuthorityDueAt) + (view.CriticalInfrastructure ? " (" + text["Incident.Cii"] + ")" : "") },
            new[] { text["Incident.AuthorityReported"].Value, At(view.AuthorityReportedAt) },
            new[] { text["Incident.ContainedAt"].Value, At(view.ContainedAt) },
            new[] { text["Incident.ClosedAt"].Value, At(view.ClosedAt) },
            new[] { text["Incident.Review"].Value, view.Review ?? "" },
            new[] { text["Incident.Accountability"].Value, view.Accountability ?? "" },
            new[] { text["Incident.SummaryDue"].Value, At(view.SummaryDueAt) + (view.SummaryReportedAt is { } s ? " ✓ " + At(s) : "") },
        };
        foreach (var p in view.Playbook)
        {
            rows.Add([text["Incident.Plan"] + " — " + (p.Title ?? text["Playbook." + p.Code]), p.DoneAt is { } done ? $"✓ {p.DoneBy} {At(done)}" : ""]);
        }

        foreach (var step in view.Steps)
        {
            var what = text["IncidentStep." + step.Kind] + (step.Action is { } a ? " · " + text["Containment." + a] : "");
            rows.Add([$"{At(step.At)} {what}", $"{step.Actor}: {step.Detail}" + (step.ReversedAt is { } r ? $" ({text["Incident.Reversed"]} {step.ReversedBy} {At(r)})" : "")]);
        }

        var table = new Web.Documents.RegisterTable(
            text["Incident.ReportTitle", view.Number],
            text["Incident.ReportCaption", At(time.GetUtcNow()), caller.Name],
            [text["Incident.Item"], text["Incident.Content"]],
            rows);
        await audit.RecordNowAsync(AuditActions.IncidentExport, "incident", incident.Id.ToString(), AuditOutcome.Success, new { incident.Number, format }, ct);
        return Web.Documents.RegisterDocument.Write(table, format, custos.Copies.PrintFont, text["Register.Page"], view.Number, time.GetUtcNow());
    }

    /// <summary>
    /// The notice per affected customer's channel (PIPL art. 57): every customer in the scope (default the last 90
    /// days) with the channel their kept contacts allow — text message, e-mail, letter, or announcement when none —
    /// and the notice worded for that channel, as XLSX or PDF for the team that sends it. Contacts are named by field,
    /// never their values: the sending system reads them by customer. Refused until the draft is complete; recorded
    /// with the count per channel.
    /// </summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> NoticePlanAsync(Guid id, DateTimeOffset? from, DateTimeOffset? to, string format, IStringLocalizer text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        format = Web.Documents.RegisterDocument.CheckFormat(format);
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentNotice, ct, allowClosed: true);
        if (incident.NoticeDraftedAt is null)
        {
            throw CustosException.Conflict("IncidentNoticeNotDrafted");
        }

        var (start, end) = Period(from, to);
        var scope = await ComputeScopeAsync(incident, start, end, ct);
        var ids = scope.Lines.Select(l => l.CustomerId).ToList();
        string[] contacts = [Kernel.Classification.FieldCatalogue.Mobile, Kernel.Classification.FieldCatalogue.Email, Kernel.Classification.FieldCatalogue.Address];
        var kept = (await db.CustomerValues.AsNoTracking().Where(v => ids.Contains(v.CustomerId) && contacts.Contains(v.Field)).Select(v => new { v.CustomerId, v.Field }).ToListAsync(ct))
            .GroupBy(v => v.CustomerId).ToDictionary(g => g.Key, g => g.Select(v => v.Field).ToHashSet(StringComparer.Ordinal));
        var full = text["Notice.Text", incident.NoticeKinds!, incident.NoticeCause!, incident.NoticeHarm!, incident.NoticeMeasures!, incident.NoticeAdvice!, incident.NoticeContact!].Value;
        var sms = text["Notice.Sms", incident.NoticeKinds!, incident.NoticeAdvice!, incident.NoticeContact!].Value;
        var rows = new List<IReadOnlyList<string>>(ids.Count);
        var counts = new Dictionary<NoticeChannel, int>();
        foreach (var customer in ids)
        {
            var fields = kept.GetValueOrDefault(customer) ?? [];
            var (channel, field) = fields.Contains(contacts[0]) ? (NoticeChannel.Sms, contacts[0])
                : fields.Contains(contacts[1]) ? (NoticeChannel.Email, contacts[1])
                : fields.Contains(contacts[2]) ? (NoticeChannel.Letter, contacts[2])
                : (NoticeChannel.Announcement, "");
            counts[channel] = counts.GetValueOrDefault(channel) + 1;
            rows.Add([text["NoticeChannel." + channel], customer.ToString(), field.Length == 0 ? "" : text["Field." + field], channel == NoticeChannel.Sms ? sms : full]);
        }

        var table = new Web.Documents.RegisterTable(
            text["Notice.PlanTitle", incident.Number],
            text["Notice.PlanCaption", ids.Count, scope.Customers, start.ToOffset(caller.Engine.Document.UtcOffset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                end.ToOffset(caller.Engine.Document.UtcOffset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), string.Join("、", counts.OrderBy(c => c.Key).Select(c => $"{text["NoticeChannel." + c.Key]} {c.Value}"))],
            [text["Notice.Channel"], text["Notice.Customer"], text["Notice.ContactField"], text["Notice.Wording"]], rows);
        await audit.RecordNowAsync(AuditActions.IncidentNotice, "incident", incident.Id.ToString(), AuditOutcome.Success,
            new { incident.Number, plan = true, format, customers = ids.Count, channels = counts.ToDictionary(c => c.Key.ToString(), c => c.Value) }, ct);
        return Web.Documents.RegisterDocument.Write(table, format, custos.Copies.PrintFont, text["Register.Page"], incident.Number + "-notice", time.GetUtcNow());
    }

    /// <summary>The notice to the people affected (PIPL art. 57), from the draft; refused until the draft is complete.</summary>
    public async Task<string> NoticeTextAsync(Guid id, IStringLocalizer text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (_, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentNotice, ct, allowClosed: true);
        if (incident.NoticeDraftedAt is null)
        {
            throw CustosException.Conflict("IncidentNoticeNotDrafted");
        }

        return text["Notice.Text", incident.NoticeKinds!, incident.NoticeCause!, incident.NoticeHarm!, incident.NoticeMeasures!, incident.NoticeAdvice!, incident.NoticeContact!].Value;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Oversight;

public sealed partial class RiskAssessmentService
{
    /// <summary>The template new forms are made from: the newest published, or the built-in one (version 0).</summary>
    public async Task<(int Version, string Title, IReadOnlyList<TemplateItem> Items)> CurrentTemplateAsync(CancellationToken ct, TemplateKind kind = TemplateKind.Assessment)
    {
        var view = await TemplateOfAsync(kind, ct);
        return (view.Version, view.Title, view.Items);
    }

    /// <summary>The current template (or checklist) as a file, to read or to start a new version from.</summary>
    public async Task<TemplateView> TemplateAsync(CancellationToken ct, TemplateKind kind = TemplateKind.Assessment)
    {
        var caller = await callers.CurrentAsync(ct);
        if (!IsReader(caller) && !IsHead(caller) && !(kind == TemplateKind.Inspection && caller.PersonId != Guid.Empty && caller.Subject.Roles.Contains(Roles.ProjectManager)))
        {
            throw new CustosException(CustosError.Forbidden, "MayNotReadTemplate");
        }

        return await TemplateOfAsync(kind, ct);
    }

    /// <summary>The template as stored, for making forms (no caller check).</summary>
    internal async Task<TemplateView> TemplateOfAsync(TemplateKind kind, CancellationToken ct)
    {
        var newest = await db.Set<AssessmentTemplate>().AsNoTracking().Where(t => t.Kind == kind).OrderByDescending(t => t.Version).FirstOrDefaultAsync(ct);
        var content = newest?.Content ?? (kind == TemplateKind.Inspection ? AssessmentTemplates.BuiltInChecklist : AssessmentTemplates.BuiltIn);
        var (title, items) = AssessmentTemplates.Parse(content);
        return new TemplateView(newest?.Version ?? 0, title, content, newest?.PublishedBy, newest?.PublishedAt, items);
    }

    /// <summary>A compliance officer publishes a new version; the next forms (or inspections) are made from it. Refused with every mistake's line when invalid.</summary>
    public async Task<TemplateView> PublishTemplateAsync(string content, CancellationToken ct, TemplateKind kind = TemplateKind.Assessment)
    {
        var caller = await callers.CurrentAsync(ct);
        // A compliance officer in person: the command line names a person without their credentials.
        if (!IsCompliance(caller) || actor.FromCommandLine)
        {
            await audit.RecordNowAsync(AuditActions.AssessmentTemplate, "assessment-template", null, AuditOutcome.Denied, new { reason = "not-compliance" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotPublishTemplate");
        }

        var (_, items) = AssessmentTemplates.Parse(content ?? "");
        var version = (await db.Set<AssessmentTemplate>().Where(t => t.Kind == kind).MaxAsync(t => (int?)t.Version, ct) ?? 0) + 1;
        db.Add(new AssessmentTemplate { Kind = kind, Version = version, Content = content!, PublishedBy = caller.Name, PublishedAt = time.GetUtcNow() });
        audit.Record(AuditActions.AssessmentTemplate, "assessment-template", version.ToString(CultureInfo.InvariantCulture), detail: new { kind, version, items = items.Count });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DbUpdateException || e is Audit.AuditWriteException { IsUniqueViolation: true })
        {
            db.ChangeTracker.Clear();
            throw CustosException.Conflict("TemplateChanged");
        }

        return await TemplateOfAsync(kind, ct);
    }

    /// <summary>
    /// The form as PDF or XLSX: the measured items with the head's answers and scores, the findings with their
    /// actions, the signatures (signed off, reviewed) and a check code — the SHA-256 of the answers, also in the audit
    /// entry of the export, so a printed form can be matched to the log. Recorded.
    /// </summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ExportAsync(Guid id, string format, IStringLocalizer text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        format = Web.Documents.RegisterDocument.CheckFormat(format);
        var (caller, assessment) = await LoadAsync(id, AuditActions.AssessmentExport, write: false, ct);
        var view = await ViewAsync(caller, assessment, ct);
        var offset = caller.Engine.Document.UtcOffset;
        string At(DateTimeOffset? at) => at is { } a ? a.ToOffset(offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
        string N(int? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "";
        var rows = new List<IReadOnlyList<string>>();
        foreach (var i in view.Items)
        {
            rows.Add([ItemTitle(text, i.Code, i.Title), i.Value?.ToString(CultureInfo.InvariantCulture) ?? text["Assessment.ByHand"], i.Answer ?? "", N(i.Likelihood), N(i.Impact), N(i.Score) + (i.High ? " ▲" : "")]);
        }

        foreach (var f in view.Actions)
        {
            rows.Add([text["Assessment.FindingRow"] + (f.ItemCode is { } c ? " · " + ItemTitle(text, c, view.Items.FirstOrDefault(i => i.Code == c)?.Title) : ""), f.Description,
                $"{f.Action} — {f.Owner}, {f.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}", "", "", text["ActionStatus." + f.Status]]);
        }

        var check = CheckCode(view);
        rows.Add([text["Assessment.Conclusion"], view.Conclusion ?? "", "", "", "", ""]);
        rows.Add([text["Assessment.SignedOffBy"], view.SignedOffBy is null ? text["Assessment.NotSigned"] : $"{view.SignedOffBy} {At(view.SignedOffAt)}", "", "", "", ""]);
        rows.Add([text["Assessment.ReviewedBy"], view.ReviewedBy is null ? text["Assessment.NotReviewed"] : $"{view.ReviewedBy} {At(view.ReviewedAt)} {view.ReviewNote}", "", "", "", ""]);
        rows.Add([text["Assessment.CheckCode"], check, "", "", "", ""]);
        var table = new Web.Documents.RegisterTable(
            $"{view.Title} {view.Number}",
            text["Assessment.Caption", view.Department, view.Period, At(view.MeasuredFrom), At(view.MeasuredTo), text["AssessmentStatus." + view.Status], At(time.GetUtcNow()), caller.Name],
            [text["Assessment.Item"], text["Assessment.Measured"], text["Assessment.Answer"], text["Assessment.Likelihood"], text["Assessment.Impact"], text["Assessment.Score"]],
            rows);
        await audit.RecordNowAsync(AuditActions.AssessmentExport, "assessment", assessment.Id.ToString(), AuditOutcome.Success, new { assessment.Number, format, check }, ct);
        return Web.Documents.RegisterDocument.Write(table, format, custos.Copies.PrintFont, text["Register.Page"], view.Number, time.GetUtcNow());
    }

    /// <summary>An item's title: the template's own, or the built-in one in the reader's language.</summary>
    public static string ItemTitle(IStringLocalizer text, string code, string? title)
    {
        ArgumentNullException.ThrowIfNull(text);
        return title ?? text["RiskItem." + code];
    }

    /// <summary>The first 16 hex digits of the SHA-256 of the form's answers, scores, actions and signatures.</summary>
    public static string CheckCode(AssessmentView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var canonical = new StringBuilder().Append(view.Number).Append('|').Append(view.Status).Append("|C").Append(view.Conclusion).Append("|N").Append(view.ReviewNote);
        foreach (var i in view.Items)
        {
            canonical.Append('|').Append(i.Code).Append('=').Append(i.Value).Append(';').Append(i.Answer).Append(';').Append(i.Likelihood).Append(';').Append(i.Impact);
        }

        foreach (var f in view.Actions.OrderBy(f => f.Id))
        {
            canonical.Append("|A").Append(f.Id).Append(';').Append(f.Status).Append(';').Append(f.DueOn.ToString("O", CultureInfo.InvariantCulture))
                .Append(';').Append(f.Description).Append(';').Append(f.Action).Append(';').Append(f.Owner);
        }

        canonical.Append("|S").Append(view.SignedOffBy).Append(view.SignedOffAt?.ToUnixTimeSeconds()).Append("|R").Append(view.ReviewedBy).Append(view.ReviewedAt?.ToUnixTimeSeconds());
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..16];
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.People;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Training;

/// <summary>A course's material as a PDF (PPL-2): put by the compliance officer, checked to be a PDF, read by everyone signed in.</summary>
public abstract class CourseMaterialTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private static readonly byte[] Pdf = "%PDF-1.4\n% 客户信息保密培训讲义\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"u8.ToArray();

    private static MultipartFormDataContent File(byte[] content, string name) => new() { { new ByteArrayContent(content), "file", name } };

    [Fact]
    public async Task The_compliance_officer_puts_a_pdf_everyone_reads_it_and_nothing_else_passes_for_one()
    {
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var web = app.Session();
        await web.SignInAsync(officer.UserName!);
        await web.EnrolMfaAsync();

        var html = await web.Client.PutAsync("/api/v1/training/courses/confidentiality/material.pdf", File("<html><script>alert(1)</script></html>"u8.ToArray(), "讲义.pdf"));
        Assert.Equal(HttpStatusCode.BadRequest, html.StatusCode);
        Assert.Equal("CoursePdf", (await html.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var put = await web.Client.PutAsync("/api/v1/training/courses/confidentiality/material.pdf", File(Pdf, "C:\\fakepath\\讲义.html"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == AuditActions.TrainingMaterial && a.Outcome == AuditOutcome.Success)));

        var staff = await app.CreatePersonAsync(Roles.Staff);
        using var reader = app.Session();
        await reader.SignInAsync(staff.UserName!);
        var got = await reader.Client.GetAsync("/api/v1/training/courses/confidentiality/material.pdf");
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal("application/pdf", got.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Pdf, await got.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", got.Content.Headers.ContentDisposition?.DispositionType); // downloaded, never shown in the site's origin
        Assert.Equal("讲义.html.pdf", got.Content.Headers.ContentDisposition?.FileNameStar); // the name only, whatever the separator, always .pdf
        var (_, page) = await reader.GetPageAsync("/training/confidentiality");
        Assert.NotNull(page.QuerySelector("#course-pdf"));
        Assert.Null(page.QuerySelector("#pdf-form"));

        var refused = await reader.Client.PutAsync("/api/v1/training/courses/confidentiality/material.pdf", File(Pdf, "x.pdf"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.Client.GetAsync("/api/v1/training/courses/nothing-here/material.pdf")).StatusCode);
    }

    [Fact]
    public async Task The_compliance_officer_keeps_the_question_bank_on_its_page_and_nobody_else_reads_the_answers()
    {
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var web = app.Session();
        await web.SignInAsync(officer.UserName!);
        await web.EnrolMfaAsync();
        var (_, bank) = await web.GetPageAsync("/training/confidentiality/questions");
        var before = bank.QuerySelectorAll("#bank tbody tr").Length;
        Assert.True(before >= 30);

        // A bad question says why and adds nothing; a good one is added, with its options and answer.
        var bad = await WebSession.ParseAsync(await web.SubmitAsync("/training/confidentiality/questions", "#question-form",
            new Dictionary<string, string> { ["Input.Kind"] = "Single", ["Input.Text"] = "客户信息可以存放在哪里？", ["Input.Options"] = "公司加密系统\n个人网盘", ["Input.Answer"] = "C" }));
        Assert.NotNull(bad.QuerySelector("#bank-error"));
        Assert.Equal(before, bad.QuerySelectorAll("#bank tbody tr").Length);
        var good = await WebSession.ParseAsync(await web.SubmitAsync("/training/confidentiality/questions", "#question-form",
            new Dictionary<string, string> { ["Input.Kind"] = "Single", ["Input.Text"] = "客户信息可以存放在哪里？", ["Input.Options"] = "公司加密系统\n个人网盘", ["Input.Answer"] = "A", ["Input.Explanation"] = "只存放在经批准的系统中。" }));
        Assert.NotNull(good.QuerySelector("#bank-notice"));
        Assert.Equal(before + 1, good.QuerySelectorAll("#bank tbody tr").Length);

        var staff = await app.CreatePersonAsync(Roles.Staff);
        using var reader = app.Session();
        await reader.SignInAsync(staff.UserName!);
        var (refused, page) = await reader.GetPageAsync("/training/confidentiality/questions");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Empty(page.QuerySelectorAll("#bank"));
    }
}

public sealed class CourseMaterialTestsOnSqlite(SqliteApp app) : CourseMaterialTests<SqliteApp>(app);

public sealed class CourseMaterialTestsOnPostgres(PostgresApp app) : CourseMaterialTests<PostgresApp>(app);

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
        var put = await web.Client.PutAsync("/api/v1/training/courses/confidentiality/material.pdf", File(Pdf, "../../讲义.pdf"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == AuditActions.TrainingMaterial && a.Outcome == AuditOutcome.Success)));

        var staff = await app.CreatePersonAsync(Roles.Staff);
        using var reader = app.Session();
        await reader.SignInAsync(staff.UserName!);
        var got = await reader.Client.GetAsync("/api/v1/training/courses/confidentiality/material.pdf");
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal("application/pdf", got.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Pdf, await got.Content.ReadAsByteArrayAsync());
        Assert.Equal("讲义.pdf", got.Content.Headers.ContentDisposition?.FileNameStar); // the name only, no path
        var (_, page) = await reader.GetPageAsync("/training/confidentiality");
        Assert.NotNull(page.QuerySelector("#course-pdf"));
        Assert.Null(page.QuerySelector("#pdf-form"));

        var refused = await reader.Client.PutAsync("/api/v1/training/courses/confidentiality/material.pdf", File(Pdf, "x.pdf"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.Client.GetAsync("/api/v1/training/courses/nothing-here/material.pdf")).StatusCode);
    }
}

public sealed class CourseMaterialTestsOnSqlite(SqliteApp app) : CourseMaterialTests<SqliteApp>(app);

public sealed class CourseMaterialTestsOnPostgres(PostgresApp app) : CourseMaterialTests<PostgresApp>(app);

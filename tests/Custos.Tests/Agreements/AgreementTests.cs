using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Custos.Features.Agreements;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Custos.Tests.Agreements;

/// <summary>
/// Confidentiality agreements (PPL-1, PPL-4) under a policy that requires one: signing before anything else,
/// confirmed by the person's own password or code; new versions with a deadline; paper agreements with an encrypted
/// scan; the register and its XLSX/PDF.
/// </summary>
public abstract class AgreementTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private Task RequireAgreementAsync() => PolicyPreconditions.RequireAsync(app, nda: true, training: false);

    private async Task<string> DepartmentAsync()
    {
        var code = app.UniqueName("A").ToUpperInvariant();
        using var scope = app.Factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddDepartmentAsync(code, "合同部" + code, default);
        return code;
    }

    /// <summary>Signs the current version as <paramref name="person"/>, through the service, with their password.</summary>
    private async Task<SignatureView> SignAsync(Person person)
    {
        using var scope = app.ActAs(person);
        var service = scope.ServiceProvider.GetRequiredService<AgreementService>();
        var current = await service.CurrentTemplateAsync(default);
        return await service.SignAsync(current.Version, CustosApp.Password, null, default);
    }

    private async Task<Customer> CustomerInAsync(string department, int seed)
    {
        var creator = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        await SignAsync(creator);
        var synthetic = new Features.Demo.SyntheticCustomers(seed).Generate(1).Single();
        using var scope = app.ActAs(creator);
        return await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(CustomerKind.Individual, department, null, Clearance.Secret,
            new Dictionary<string, string?> { [FieldCatalogue.Name] = synthetic.Name, [FieldCatalogue.Mobile] = synthetic.Mobile }), default);
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

    private async Task<(Person Person, WebSession Web, string Key)> ComplianceOfficerAsync(string? department = null)
    {
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: department is null ? null : [department]);
        var web = app.Session();
        await web.SignInAsync(officer.UserName!);
        var key = await web.EnrolMfaAsync();
        return (officer, web, key);
    }

    [Fact]
    public async Task A_new_person_signs_before_anything_else_with_their_own_password_and_the_signature_opens_customers()
    {
        await RequireAgreementAsync();
        var department = await DepartmentAsync();
        var customer = await CustomerInAsync(department, 301);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        using var web = app.Session();
        await web.SignInAsync(clerk.UserName!);

        // Every page leads to the agreement; every API call but the agreement's own is refused with the reason.
        var home = await web.Client.GetAsync("/customers");
        Assert.Equal(HttpStatusCode.Found, home.StatusCode);
        Assert.Equal("/agreement", WebSession.Location(home));
        var refused = await web.Client.GetAsync($"/api/v1/customers/{customer.Id}");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("AgreementRequired", await CodeAsync(refused));
        Assert.Equal(HttpStatusCode.Forbidden, (await web.Client.GetAsync("/api/v1/tokens")).StatusCode);

        var (page, document) = await web.GetPageAsync("/agreement");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("离职后本协议规定的保密义务继续有效", document.QuerySelector("#agreement-text")!.TextContent, StringComparison.Ordinal);
        var mine = await web.Client.GetFromJsonAsync<JsonElement>("/api/v1/agreements/mine");
        Assert.Equal("Missing", mine.GetProperty("standing").GetString());
        Assert.True(mine.GetProperty("required").GetBoolean());
        var version = mine.GetProperty("current").GetProperty("version").GetInt32();
        var body = mine.GetProperty("current").GetProperty("body").GetString()!;

        // Not without reading, not with a wrong password (counted towards lock-out, recorded), not an older version.
        var unread = await web.SubmitAsync("/agreement", "#sign-form", new Dictionary<string, string> { ["Form.Password"] = CustosApp.Password });
        Assert.Contains("请先勾选", (await WebSession.ParseAsync(unread)).QuerySelector("#agreement-error")!.TextContent, StringComparison.Ordinal);
        var wrong = await web.Client.PostAsJsonAsync("/api/v1/agreements/sign", new { version, password = "not-my-password" });
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("AgreementConfirmationFailed", await CodeAsync(wrong));
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.Where(p => p.Id == clerk.Id).Select(p => p.AccessFailedCount).SingleAsync()));
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.ActorId == clerk.Id.ToString() && a.Action == AuditActions.AgreementSign && a.Outcome == AuditOutcome.Denied)));
        var stale = await web.Client.PostAsJsonAsync("/api/v1/agreements/sign", new { version = version - 1, password = CustosApp.Password });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<AgreementSignature>().CountAsync(s => s.PersonId == clerk.Id)));

        // Signed on the page: the version, the time, the address and the hash of the text seen are kept.
        var signed = await web.SubmitAsync("/agreement", "#sign-form", new Dictionary<string, string> { ["Form.Read"] = "true", ["Form.Password"] = CustosApp.Password });
        Assert.Equal(HttpStatusCode.Found, signed.StatusCode);
        var signature = await app.WithDbAsync(db => db.Set<AgreementSignature>().SingleAsync(s => s.PersonId == clerk.Id));
        Assert.Equal(version, signature.TemplateVersion);
        Assert.Equal(SignatureMethod.Online, signature.Method);
        Assert.Equal("password", signature.Confirmation);
        Assert.Equal("10.0.0.10", signature.Address);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))), signature.BodySha256);
        var entry = await app.LastEntryAsync(clerk, AuditActions.AgreementSign);
        Assert.Equal(AuditOutcome.Success, entry.Outcome);
        Assert.DoesNotContain(CustosApp.Password, entry.Detail ?? "", StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync("/customers")).StatusCode);
        var again = await web.Client.PostAsJsonAsync("/api/v1/agreements/sign", new { version, password = CustosApp.Password });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task An_agreement_is_signed_by_the_person_signed_in_not_through_a_token_and_a_code_confirms_it_once()
    {
        await RequireAgreementAsync();
        var (officer, web, key) = await ComplianceOfficerAsync();
        string token;
        using (var scope = app.ActAs(officer))
        {
            (_, token) = await scope.ServiceProvider.GetRequiredService<Features.ApiTokens.ApiTokenService>().CreateAsync("t", [Roles.ComplianceOfficer], 7, default);
        }

        using var api = app.ApiClient(token);
        var version = (await web.Client.GetFromJsonAsync<JsonElement>("/api/v1/agreements/mine")).GetProperty("current").GetProperty("version").GetInt32();
        var byToken = await api.PostAsJsonAsync("/api/v1/agreements/sign", new { version, password = CustosApp.Password });
        Assert.Equal(HttpStatusCode.Forbidden, byToken.StatusCode);
        Assert.Equal("SignInPerson", await CodeAsync(byToken));

        var code = web.FreshCode(key);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.PostAsJsonAsync("/api/v1/agreements/sign", new { version, code })).StatusCode);
        Assert.Equal("totp", await app.WithDbAsync(db => db.Set<AgreementSignature>().Where(s => s.PersonId == officer.Id).Select(s => s.Confirmation).SingleAsync()));
    }

    [Fact]
    public async Task A_new_version_never_rewrites_the_old_one_and_closes_customers_to_those_who_have_not_signed_it_by_the_deadline()
    {
        await RequireAgreementAsync();
        var department = await DepartmentAsync();
        var customer = await CustomerInAsync(department, 302);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        await SignAsync(clerk);
        var (officer, officerWeb, _) = await ComplianceOfficerAsync();
        await SignAsync(officer);
        var before = await app.WithDbAsync(db => db.Set<AgreementTemplate>().AsNoTracking().OrderBy(t => t.Version).ToListAsync());

        // Only the compliance officer publishes; the same text is not a new version.
        using (var clerkWeb = app.Session())
        {
            await clerkWeb.SignInAsync(clerk.UserName!);
            var refused = await clerkWeb.Client.PostAsJsonAsync("/api/v1/agreements/templates", new { title = "x", body = new string('条', 80) });
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, await refused.Content.ReadAsStringAsync());
            Assert.Equal("MayNotManageAgreements", await CodeAsync(refused));
        }

        var same = await officerWeb.Client.PostAsJsonAsync("/api/v1/agreements/templates", new { title = before[^1].Title, body = before[^1].Body });
        Assert.Equal(HttpStatusCode.BadRequest, same.StatusCode);

        var today = DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var published = await officerWeb.Client.PostAsJsonAsync("/api/v1/agreements/templates", new
        {
            title = "客户信息保密协议（修订）",
            body = before[^1].Body + "\n\n十、本人不将客户信息输入任何未经公司批准的外部人工智能服务。",
            signBy = today.AddDays(10),
        });
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        var newVersion = (await published.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();
        Assert.Equal(before[^1].Version + 1, newVersion);
        var after = await app.WithDbAsync(db => db.Set<AgreementTemplate>().AsNoTracking().OrderBy(t => t.Version).ToListAsync());
        Assert.Equal(before.Select(t => (t.Version, t.Body, t.BodySha256)), after.Take(before.Count).Select(t => (t.Version, t.Body, t.BodySha256)));
        Assert.True(await app.WithDbAsync(db => db.Notifications.AnyAsync(n => n.RecipientId == clerk.Id && n.Kind == "Notify.AgreementNewVersion")));

        // Until the deadline the old signature counts; the day after, the clerk is sent to sign again.
        using var web = app.Session();
        await web.SignInAsync(clerk.UserName!);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);
        Assert.Equal("Due", (await web.Client.GetFromJsonAsync<JsonElement>("/api/v1/agreements/mine")).GetProperty("standing").GetString());
        app.Factory.Time.Advance(TimeSpan.FromDays(11));
        try
        {
            using var later = app.Session();
            await later.SignInAsync(clerk.UserName!);
            var lapsed = await later.Client.GetAsync($"/api/v1/customers/{customer.Id}");
            Assert.Equal(HttpStatusCode.Forbidden, lapsed.StatusCode);
            Assert.Equal("AgreementRequired", await CodeAsync(lapsed));
            Assert.Equal(HttpStatusCode.OK, (await later.Client.PostAsJsonAsync("/api/v1/agreements/sign", new { version = newVersion, password = CustosApp.Password })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await later.Client.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);
            Assert.Equal([before[^1].Version, newVersion], await app.WithDbAsync(db => db.Set<AgreementSignature>().Where(s => s.PersonId == clerk.Id).OrderBy(s => s.TemplateVersion).Select(s => s.TemplateVersion).ToListAsync()));
        }
        finally
        {
            // Everyone else in this fixture has signed the version now in force.
            await app.WithDbAsync(async db =>
            {
                foreach (var p in await db.Users.Where(p => p.NdaVersion != null && p.NdaVersion < newVersion).ToListAsync())
                {
                    p.NdaVersion = newVersion;
                }

                return await db.SaveChangesAsync();
            });
        }
    }

    [Fact]
    public async Task A_paper_agreement_is_recorded_with_an_encrypted_scan_by_someone_else_who_checked_it()
    {
        await RequireAgreementAsync();
        var department = await DepartmentAsync();
        var partnerUser = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var (officer, web, _) = await ComplianceOfficerAsync();
        await SignAsync(officer);
        var version = (await web.Client.GetFromJsonAsync<JsonElement>("/api/v1/agreements/mine")).GetProperty("current").GetProperty("version").GetInt32();
        var scan = Encoding.ASCII.GetBytes("%PDF-1.4\n% scanned paper agreement 纸质协议 " + Guid.NewGuid()).Concat(new byte[2048]).ToArray();
        var today = DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

        MultipartFormDataContent Form(string user, byte[] file, DateOnly signedOn) => new()
        {
            { new StringContent(user), "userName" },
            { new StringContent(version.ToString(System.Globalization.CultureInfo.InvariantCulture)), "version" },
            { new StringContent(signedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), "signedOn" },
            { new ByteArrayContent(file), "scan", "scan.pdf" },
        };

        var own = await web.Client.PostAsync("/api/v1/agreements/paper", Form(officer.UserName!, scan, today));
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Equal("AgreementOwnPaper", await CodeAsync(own));
        var notAScan = await web.Client.PostAsync("/api/v1/agreements/paper", Form(partnerUser.UserName!, Encoding.ASCII.GetBytes("MZ\x90\0 not a scan"), today));
        Assert.Equal(HttpStatusCode.BadRequest, notAScan.StatusCode);
        Assert.Equal("AgreementScanType", await CodeAsync(notAScan));
        var future = await web.Client.PostAsync("/api/v1/agreements/paper", Form(partnerUser.UserName!, scan, today.AddDays(2)));
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<AgreementSignature>().CountAsync(s => s.PersonId == partnerUser.Id)));

        var recorded = await web.Client.PostAsync("/api/v1/agreements/paper", Form(partnerUser.UserName!, scan, today.AddDays(-3)));
        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
        var id = (await recorded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var stored = await app.WithDbAsync(db => db.Set<AgreementSignature>().AsNoTracking().SingleAsync(s => s.Id == id));
        Assert.Equal(SignatureMethod.Paper, stored.Method);
        Assert.Equal(officer.Id, stored.CheckedById);
        Assert.Equal(today.AddDays(-3), stored.SignedOn);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(scan)), stored.ScanSha256);
        Assert.Equal(-1, stored.ScanCipher!.AsSpan().IndexOf("scanned paper agreement"u8));
        var person = await app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(p => p.Id == partnerUser.Id));
        Assert.Equal((today.AddDays(-3), version), (person.NdaSignedOn!.Value, person.NdaVersion!.Value));

        // The scan comes back as it went in, to the register's readers and the person; to anyone else it does not exist.
        Assert.Equal(scan, await web.Client.GetByteArrayAsync($"/api/v1/agreements/signatures/{id}/scan"));
        var stranger = await app.CreatePersonAsync(Roles.Staff);
        await SignAsync(stranger);
        using var strangerWeb = app.Session();
        await strangerWeb.SignInAsync(stranger.UserName!);
        Assert.Equal(HttpStatusCode.NotFound, (await strangerWeb.Client.GetAsync($"/api/v1/agreements/signatures/{id}/scan")).StatusCode);
        Assert.Equal(AuditOutcome.Denied, (await app.LastEntryAsync(stranger, AuditActions.AgreementScanOpen)).Outcome);
    }

    [Fact]
    public async Task Only_a_compliance_officer_acting_in_person_publishes_or_records_paper_and_an_unsigned_person_reaches_only_the_agreement_and_their_account()
    {
        await RequireAgreementAsync();
        var department = await DepartmentAsync();
        var other = await DepartmentAsync();
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var scan = "%PDF-1.4 paper"u8.ToArray();

        // Those who administer, approve or audit record nothing and publish nothing, however they ask.
        foreach (var role in new[] { Roles.ItAdministrator, Roles.DepartmentHead, Roles.Auditor, Roles.GeneralManager })
        {
            var someone = await app.CreatePersonAsync(role, departments: [department]);
            await SignAsync(someone);
            using var web = app.Session();
            await web.SignInAsync(someone.UserName!);
            await web.EnrolMfaAsync();
            var paper = await web.Client.PostAsync("/api/v1/agreements/paper", new MultipartFormDataContent
            {
                { new StringContent(clerk.UserName!), "userName" }, { new StringContent("1"), "version" }, { new StringContent("2026-01-05"), "signedOn" },
                { new ByteArrayContent(scan), "scan", "scan.pdf" },
            });
            Assert.True(paper.StatusCode == HttpStatusCode.Forbidden, $"{role}: {paper.StatusCode}");
            Assert.Equal("MayNotManageAgreements", await CodeAsync(paper));
            var publish = await web.Client.PostAsJsonAsync("/api/v1/agreements/templates", new { title = "改", body = new string('条', 80) });
            Assert.True(publish.StatusCode == HttpStatusCode.Forbidden, $"{role}: {publish.StatusCode}");
        }

        Assert.Null(await app.WithDbAsync(db => db.Users.Where(p => p.Id == clerk.Id).Select(p => p.NdaSignedOn).SingleAsync()));

        // A compliance officer named on the command line is not the officer in person: refused and recorded.
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        await SignAsync(officer);
        using (var scope = app.AsSystem())
        {
            scope.ServiceProvider.GetRequiredService<BackgroundActor>().Set(officer.Id.ToString(), officer.DisplayName, "cli");
            var refused = await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() => scope.ServiceProvider.GetRequiredService<AgreementService>()
                .RecordPaperAsync(new PaperAgreement(clerk.UserName, 1, new DateOnly(2026, 1, 5), scan), default));
            Assert.Equal("MayNotManageAgreements", refused.Code);
        }

        // A head of another department does not see this department's scans.
        using (var officerWeb = app.Session())
        {
            await officerWeb.SignInAsync(officer.UserName!);
            await officerWeb.EnrolMfaAsync();
            var recorded = await officerWeb.Client.PostAsync("/api/v1/agreements/paper", new MultipartFormDataContent
            {
                { new StringContent(clerk.UserName!), "userName" }, { new StringContent("1"), "version" }, { new StringContent("2026-01-05"), "signedOn" },
                { new ByteArrayContent(scan), "scan", "scan.pdf" },
            });
            Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
            var id = (await recorded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var otherHead = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [other]);
            await SignAsync(otherHead);
            using var headWeb = app.Session();
            await headWeb.SignInAsync(otherHead.UserName!);
            await headWeb.EnrolMfaAsync();
            Assert.Equal(HttpStatusCode.NotFound, (await headWeb.Client.GetAsync($"/api/v1/agreements/signatures/{id}/scan")).StatusCode);
        }

        // Someone who has not signed: the agreement and their own account, nothing else — by page, API or token.
        var newcomer = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        string token;
        using (var scope = app.ActAs(newcomer))
        {
            (_, token) = await scope.ServiceProvider.GetRequiredService<Features.ApiTokens.ApiTokenService>().CreateAsync("t", [Roles.Staff], 7, default);
        }

        using var newWeb = app.Session();
        await newWeb.SignInAsync(newcomer.UserName!);
        Assert.Equal(HttpStatusCode.OK, (await newWeb.Client.GetAsync("/account")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newWeb.Client.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal("AgreementRequired", await CodeAsync(await newWeb.Client.GetAsync("/api/v1/agreements/register")));
        Assert.Equal("AgreementRequired", await CodeAsync(await newWeb.Client.GetAsync("/api/v1/training/courses")));
        using (var api = app.ApiClient(token))
        {
            var byToken = await api.GetAsync("/api/v1/customers");
            Assert.Equal(HttpStatusCode.Forbidden, byToken.StatusCode);
            Assert.Equal("AgreementRequired", await CodeAsync(byToken));
        }

        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.ActorId == newcomer.Id.ToString() && a.Action == AuditActions.AccessDenied && a.Detail!.Contains("agreement-required"))));
    }

    [Fact]
    public async Task The_register_is_for_compliance_auditors_and_heads_of_their_departments_and_exports_as_xlsx_and_pdf()
    {
        await RequireAgreementAsync();
        var department = await DepartmentAsync();
        var other = await DepartmentAsync();
        var signer = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        await SignAsync(signer);
        var missing = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var elsewhere = await app.CreatePersonAsync(Roles.Staff, departments: [other]);

        using (var staff = app.Session())
        {
            await staff.SignInAsync(signer.UserName!);
            var refused = await staff.Client.GetAsync("/api/v1/agreements/register");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("MayNotReadAgreements", await CodeAsync(refused));
            Assert.Equal(HttpStatusCode.Forbidden, (await staff.Client.GetAsync("/api/v1/agreements/register.xlsx")).StatusCode);
        }

        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        await SignAsync(head);
        using (var headWeb = app.Session())
        {
            await headWeb.SignInAsync(head.UserName!);
            await headWeb.EnrolMfaAsync();
            var rows = (await headWeb.Client.GetFromJsonAsync<JsonElement>("/api/v1/agreements/register")).EnumerateArray().ToList();
            var names = rows.Select(r => r.GetProperty("userName").GetString()).ToList();
            Assert.Contains(signer.UserName, names);
            Assert.Contains(missing.UserName, names);
            Assert.DoesNotContain(elsewhere.UserName, names);
            Assert.Equal("Current", rows.Single(r => r.GetProperty("userName").GetString() == signer.UserName).GetProperty("standing").GetString());
            Assert.Equal("Missing", rows.Single(r => r.GetProperty("userName").GetString() == missing.UserName).GetProperty("standing").GetString());
        }

        var (officerPerson, officer, _) = await ComplianceOfficerAsync();
        await SignAsync(officerPerson);
        var (page, document) = await officer.GetPageAsync("/agreements");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.NotNull(document.QuerySelector($"#agreement-register tr[data-user='{elsewhere.UserName}']"));

        var xlsx = await officer.Client.GetAsync("/api/v1/agreements/register.xlsx");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType!.MediaType);
        using (var stream = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()))
        {
            var sheet = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
            var row = sheet.Single(r => (string?)r["用户名"] == signer.UserName);
            Assert.Equal("已签署现行版本", row["签署情况"]);
            Assert.Equal("在线签署", row["方式"]);
            Assert.Contains("合同部", (string?)row["部门"], StringComparison.Ordinal);
            Assert.Equal("未签署", sheet.Single(r => (string?)r["用户名"] == missing.UserName)["签署情况"]);
        }

        var pdf = await officer.Client.GetAsync("/api/v1/agreements/register.pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType!.MediaType);
        var text = PdfText.Of(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains("保密协议签署登记表", text, StringComparison.Ordinal);
        Assert.Contains(missing.UserName!, text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await officer.Client.GetAsync("/api/v1/agreements/register.csv")).StatusCode);
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == AuditActions.AgreementExport && a.Detail!.Contains("pdf"))));
    }
}

public sealed class AgreementTestsOnSqlite(SqliteApp app) : AgreementTests<SqliteApp>(app);

public sealed class AgreementTestsOnPostgres(PostgresApp app) : AgreementTests<PostgresApp>(app);

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Tests.Infrastructure;
using Custos.Web;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Audit;

/// <summary>
/// The auditor's tools (AUD-2): search by person, customer, action, outcome and time; who saw a customer; what a
/// person saw; CSV export — for auditors and the compliance officer only, each use itself recorded.
/// </summary>
public abstract class AuditorToolsTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private const string Mobile = "13811112222";

    /// <summary>A clerk in a department of their own who creates, views and reveals a customer; and a signed-in auditor.</summary>
    private async Task<(Person Clerk, Guid Customer, WebSession Auditor, string AuditorId)> SceneAsync()
    {
        var code = app.UniqueName("AUD").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>().AddDepartmentAsync(code, "审计测试" + code, default);
        }

        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [code]);
        using var web = app.Session();
        await web.SignInAsync(clerk.UserName!);
        var created = await web.Client.PostAsJsonAsync("/api/v1/customers", new { grade = "Secret", values = new Dictionary<string, string> { ["name"] = "周审计", ["mobile"] = Mobile } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync($"/api/v1/customers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.PostAsJsonAsync($"/api/v1/customers/{id}/reveal", new { field = "mobile", purpose = "follow-up" })).StatusCode);

        var auditor = await app.CreatePersonAsync(Roles.Auditor);
        var auditorWeb = app.Session();
        await auditorWeb.SignInAsync(auditor.UserName!);
        await auditorWeb.EnrolMfaAsync();
        return (clerk, id, auditorWeb, auditor.Id.ToString());
    }

    [Fact]
    public async Task A_searched_value_is_logged_only_as_a_keyed_hash_that_an_auditor_can_find_by_the_value()
    {
        var (clerk, _, auditor, _) = await SceneAsync();
        using var web = app.Session();
        await web.SignInAsync(clerk.UserName!);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.PostAsJsonAsync("/api/v1/customers/search", new { query = "138 1111 2222" })).StatusCode);
        var entry = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.ActorId == clerk.Id.ToString() && a.Action == "customer.list").OrderByDescending(a => a.Id).FirstAsync());
        Assert.DoesNotContain("1111", entry.Detail!, StringComparison.Ordinal);
        Assert.Contains("hmac:", entry.Detail!, StringComparison.Ordinal);

        // The auditor turns the value into its hash (posted, never in a URL) and finds the search by it.
        var hashed = await auditor.Client.PostAsJsonAsync("/api/v1/audit/hash", new { value = Mobile });
        Assert.Equal(HttpStatusCode.OK, hashed.StatusCode);
        var term = (await hashed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("term").GetString()!;
        Assert.Contains(term, entry.Detail!, StringComparison.Ordinal);
        var found = JsonDocument.Parse(await auditor.Client.GetStringAsync($"/api/v1/audit/entries?term={Uri.EscapeDataString(term)}")).RootElement;
        Assert.Contains(found.GetProperty("items").EnumerateArray(), e => e.GetProperty("id").GetInt64() == entry.Id);
        Assert.DoesNotContain(found.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "customer.reveal");
        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.Client.GetAsync("/api/v1/audit/entries?term=13811112222")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await web.Client.PostAsJsonAsync("/api/v1/audit/hash", new { value = Mobile })).StatusCode);

        // On the page: the value is posted and only its hash lands in the address.
        var page = await auditor.SubmitAsync("/audit", "#audit-value", new Dictionary<string, string> { ["value"] = Mobile });
        Assert.Equal("/audit?term=" + Uri.EscapeDataString(term), WebSession.Location(page));
    }

    [Fact]
    public async Task An_auditor_finds_what_happened_to_a_customer_and_by_whom_without_seeing_values()
    {
        var (clerk, customer, auditor, auditorId) = await SceneAsync();

        var body = await auditor.Client.GetStringAsync($"/api/v1/audit/entries?customer={customer}");
        Assert.DoesNotContain(Mobile, body, StringComparison.Ordinal);
        var entries = JsonDocument.Parse(body).RootElement;
        var actions = entries.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("customer.create", actions);
        Assert.Contains("customer.view", actions);
        Assert.Contains("customer.reveal", actions);
        var reveal = entries.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("action").GetString() == "customer.reveal");
        Assert.Equal("follow-up", reveal.GetProperty("purpose").GetString());
        Assert.Equal(clerk.Id.ToString(), reveal.GetProperty("actorId").GetString());

        // Narrowed by person and action prefix, by outcome, by time.
        var byPerson = await auditor.Client.GetFromJsonAsync<JsonElement>($"/api/v1/audit/entries?person={clerk.UserName}&action=customer.");
        Assert.All(byPerson.GetProperty("items").EnumerateArray(), e =>
        {
            Assert.Equal(clerk.Id.ToString(), e.GetProperty("actorId").GetString());
            Assert.StartsWith("customer.", e.GetProperty("action").GetString(), StringComparison.Ordinal);
        });
        Assert.True(byPerson.GetProperty("total").GetInt64() >= 3);
        var denied = await auditor.Client.GetFromJsonAsync<JsonElement>($"/api/v1/audit/entries?customer={customer}&outcome=Denied");
        Assert.Equal(0, denied.GetProperty("total").GetInt64());
        var future = await auditor.Client.GetFromJsonAsync<JsonElement>($"/api/v1/audit/entries?customer={customer}&from={Uri.EscapeDataString(app.Factory.Time.GetUtcNow().AddDays(1).ToString("o"))}");
        Assert.Equal(0, future.GetProperty("total").GetInt64());

        // Who saw the customer; what the clerk saw.
        var viewers = await auditor.Client.GetFromJsonAsync<JsonElement>($"/api/v1/audit/customers/{customer}/viewers");
        var row = viewers.EnumerateArray().Single();
        Assert.Equal(clerk.Id.ToString(), row.GetProperty("id").GetString());
        Assert.Equal(1, row.GetProperty("reveals").GetInt32());
        Assert.Equal(2, row.GetProperty("views").GetInt32()); // the masked record returned on creation, and the GET
        Assert.Equal(1, row.GetProperty("changes").GetInt32());
        var seen = await auditor.Client.GetFromJsonAsync<JsonElement>($"/api/v1/audit/people/{clerk.UserName}/seen");
        Assert.Equal(customer.ToString(), seen.EnumerateArray().Single().GetProperty("id").GetString());

        // The auditor's own questions are on record, without the answers.
        var own = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.ActorId == auditorId).Select(a => a.Action).ToListAsync());
        Assert.Contains("audit.search", own);
        Assert.Contains("audit.customer.viewers", own);
        Assert.Contains("audit.person.seen", own);
    }

    [Fact]
    public async Task The_export_is_csv_with_every_matching_entry_and_is_itself_recorded()
    {
        var (_, customer, auditor, auditorId) = await SceneAsync();
        var total = (await auditor.Client.GetFromJsonAsync<JsonElement>($"/api/v1/audit/entries?customer={customer}")).GetProperty("total").GetInt64();

        var response = await auditor.Client.GetAsync($"/api/v1/audit/entries.csv?customer={customer}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = System.Text.Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("\"id\",\"sequence\",\"time_utc\",\"actor_id\"", lines[0], StringComparison.Ordinal); // every cell quoted (CSV injection)
        Assert.Equal(total, lines.Length - 1);
        Assert.Contains(lines, l => l.Contains("customer.reveal", StringComparison.Ordinal) && l.Contains("follow-up", StringComparison.Ordinal));
        Assert.DoesNotContain(Mobile, string.Join('\n', lines), StringComparison.Ordinal);

        var export = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.Action == "audit.export" && a.ActorId == auditorId).OrderByDescending(a => a.Id).FirstAsync());
        Assert.Contains($"\"total\":{total}", export.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_auditors_and_the_compliance_officer_read_the_log_and_refusals_are_recorded()
    {
        var (clerk, customer, _, _) = await SceneAsync();
        using var clerkWeb = app.Session();
        await clerkWeb.SignInAsync(clerk.UserName!);
        Assert.Equal(HttpStatusCode.Forbidden, (await clerkWeb.Client.GetAsync($"/api/v1/audit/entries?customer={customer}")).StatusCode);
        var refused = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.ActorId == clerk.Id.ToString()).OrderByDescending(a => a.Id).FirstAsync());
        Assert.Equal("access.denied", refused.Action);

        // The administrators are audited, not auditors.
        using var admin = await app.AdminSessionAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Client.GetAsync("/api/v1/audit/entries")).StatusCode);
        var (response, _) = await admin.GetPageAsync("/audit");
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);

        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var complianceWeb = app.Session();
        await complianceWeb.SignInAsync(compliance.UserName!);
        await complianceWeb.EnrolMfaAsync();
        Assert.Equal(HttpStatusCode.OK, (await complianceWeb.Client.GetAsync($"/api/v1/audit/entries?customer={customer}")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_person_or_a_bad_customer_id_is_explained()
    {
        var (_, _, auditor, _) = await SceneAsync();
        var unknown = await auditor.Client.GetAsync("/api/v1/audit/entries?person=nobody.here");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("PersonNotFound", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var (_, page) = await auditor.GetPageAsync("/audit?customer=not-an-id");
        Assert.NotNull(page.QuerySelector("#audit-error"));
    }

    [Fact]
    public async Task The_pages_show_the_entries_and_who_saw_a_customer()
    {
        var (clerk, customer, auditor, _) = await SceneAsync();
        var (response, page) = await auditor.GetPageAsync($"/audit?customer={customer}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var table = page.QuerySelector("#audit-entries")!;
        Assert.Contains("customer.reveal", table.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Mobile, page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("/api/v1/audit/entries.csv?customer=", page.QuerySelector("#audit-export")!.GetAttribute("href"), StringComparison.Ordinal);

        var (_, viewers) = await auditor.GetPageAsync($"/audit/customers/{customer}");
        Assert.Contains(clerk.DisplayName, viewers.QuerySelector("#access-summary")!.TextContent, StringComparison.Ordinal);
        var (_, seen) = await auditor.GetPageAsync($"/audit/people/{clerk.UserName}");
        Assert.Contains(customer.ToString(), seen.QuerySelector("#access-summary")!.TextContent, StringComparison.Ordinal);
    }

    /// <summary>OWASP's CSV-injection guidance: every cell quoted, and a formula character wherever a cell could start is made text.</summary>
    [Fact]
    public void Csv_cells_are_quoted_and_formulas_stay_text_wherever_a_cell_could_start()
    {
        Assert.Equal("\"plain\"", CsvText.Cell("plain"));
        Assert.Equal("\"a,b\"", CsvText.Cell("a,b"));
        Assert.Equal("\"say \"\"hi\"\"\"", CsvText.Cell("say \"hi\""));
        Assert.Equal("\"'=HYPERLINK(1)\"", CsvText.Cell("=HYPERLINK(1)"));
        Assert.Equal("\"'@SUM(A1)\"", CsvText.Cell("@SUM(A1)"));
        Assert.Equal("\"x,'=cmd|' /C calc'!A0\"", CsvText.Cell("x,=cmd|' /C calc'!A0")); // after a separator inside the cell
        Assert.Equal("\"a\t'=1+1\"", CsvText.Cell("a\t=1+1")); // after a tab (a paste into a sheet splits there)
        Assert.Equal("\"a;'-2+3\"", CsvText.Cell("a;-2+3"));
        Assert.Equal("\"line\n'+1\"", CsvText.Cell("line\n+1"));
        Assert.Equal("\"010-12345678\"", CsvText.Cell("010-12345678")); // a minus inside a value is left alone
        Assert.Equal("", CsvText.Cell(null));
    }

}

public sealed class AuditorToolsTestsOnSqlite(SqliteApp app) : AuditorToolsTests<SqliteApp>(app);

public sealed class AuditorToolsTestsOnPostgres(PostgresApp app) : AuditorToolsTests<PostgresApp>(app);

using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Access;

/// <summary>
/// The authorisation matrix (ACC-1, ACC-2): every endpoint and page, called by a person of every role, with
/// an in-scope and an out-of-scope customer. No response ever carries the out-of-scope customer (IDOR);
/// administration and audit are refused to the other roles; the in-scope customer is shown exactly to the
/// roles that work with customers. Every role also walks the escalation path — change my own roles, memberships
/// and clearance, ask for a role and approve it myself — and ends with the rights it began with.
/// </summary>
public abstract partial class AuthorisationMatrixTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    /// <summary>Roles that may see the in-scope customer (its department, or for the partner its project).</summary>
    private static readonly HashSet<string> CustomerRoles =
        [Roles.InformationOfficer, Roles.Staff, Roles.DepartmentHead, Roles.ProjectManager, Roles.ComplianceOfficer, Roles.GeneralManager, Roles.Partner];

    private static readonly Dictionary<string, string[]> PolicyRoles = new(StringComparer.Ordinal)
    {
        [Policies.Administer] = [Roles.ItAdministrator],
        [Policies.Audit] = [Roles.Auditor, Roles.ComplianceOfficer],
        [Policies.Metrics] = [Roles.ItAdministrator],
    };

    [Fact]
    public async Task Every_endpoint_for_every_role_keeps_out_of_scope_customers_out_and_policies_hold()
    {
        var (inside, outside, project) = (app.UniqueName("MI").ToUpperInvariant(), app.UniqueName("MO").ToUpperInvariant(), app.UniqueName("MP").ToUpperInvariant());
        using (var scope = app.Factory.Services.CreateScope())
        {
            var organisation = scope.ServiceProvider.GetRequiredService<OrganisationService>();
            await organisation.AddDepartmentAsync(inside, "部门" + inside, default);
            await organisation.AddDepartmentAsync(outside, "部门" + outside, default);
            await organisation.AddProjectAsync(project, "项目" + project, inside, default);
        }

        var insideMarker = "inscope-" + Guid.NewGuid().ToString("N")[..8];
        var outsideMarker = "idor-" + Guid.NewGuid().ToString("N")[..8];
        var stranger = await app.CreatePersonAsync(Roles.Staff, departments: [outside]);
        var writer = await app.CreatePersonAsync(Roles.Staff, departments: [inside]);
        Customer inScope, outOfScope;
        using (var scope = app.ActAs(writer))
        {
            inScope = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
                CustomerKind.Individual, inside, project, Clearance.Secret, new Dictionary<string, string?> { [FieldCatalogue.Name] = "李明" }, [insideMarker]), default);
        }

        using (var scope = app.ActAs(stranger))
        {
            outOfScope = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
                CustomerKind.Individual, outside, null, Clearance.Secret, new Dictionary<string, string?> { [FieldCatalogue.Name] = "赵强" }, [outsideMarker]), default);
        }

        var endpoints = Endpoints();
        var calls = 0;
        foreach (var role in Roles.All)
        {
            var person = await app.CreatePersonAsync(role, departments: role == Roles.Partner ? [] : [inside]);
            if (role == Roles.Partner)
            {
                await app.LinkProjectToTestPartnerAsync(project);
                using var scope = app.Factory.Services.CreateScope();
                await scope.ServiceProvider.GetRequiredService<PeopleService>().SetMembershipsAsync(person.Id, [], [project], default);
            }

            using var web = app.Session();
            await web.SignInAsync(person.UserName!);
            if (role != Roles.Staff)
            {
                await web.EnrolMfaAsync();
            }

            foreach (var (method, pattern, endpoint) in endpoints)
            {
                var isApi = pattern.StartsWith("/api/", StringComparison.Ordinal);
                if (!isApi && method != "GET")
                {
                    continue; // page forms need their anti-forgery token; the API covers the same handlers
                }

                var url = RouteParameter().Replace(pattern, m => m.Value.StartsWith("{person", StringComparison.OrdinalIgnoreCase) ? "nobody" : outOfScope.Id.ToString());
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                var response = await web.Client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                calls++;
                var what = $"{role}: {method} {url} → {(int)response.StatusCode}";

                // No role, however unexpected on a page, makes it fail: a refusal is a refusal, never a 500.
                Assert.True(response.StatusCode != HttpStatusCode.InternalServerError, what);

                // IDOR: nothing of the out-of-scope customer, ever.
                Assert.False(body.Contains(outsideMarker, StringComparison.Ordinal), what + " shows the out-of-scope customer's tag");
                var auditor = role is Roles.Auditor or Roles.ComplianceOfficer;
                if (!(auditor && pattern.Contains("/audit", StringComparison.Ordinal)) && pattern.Contains("customers/{", StringComparison.OrdinalIgnoreCase))
                {
                    Assert.False(response.IsSuccessStatusCode, what + " succeeded on an out-of-scope customer");
                }

                // Authorization policies: only their roles get through.
                var policy = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
                if (policy is not null && PolicyRoles.TryGetValue(policy, out var allowed) && !allowed.Contains(role))
                {
                    Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Found, what + " should be refused");
                }
            }

            // The escalation path (ACC-2, ACC-4): whatever the role, one's own roles, memberships and clearance never change
            // through a people endpoint, and a role asked for oneself waits for others' approval.
            var rolesBefore = await RolesOfAsync(person.Id);
            foreach (var (url, body) in new (string, object)[]
            {
                ($"/api/v1/people/{person.Id}/roles", new { roles = Roles.All }),
                ($"/api/v1/people/{person.Id}/memberships", new { departments = new[] { inside, outside }, projects = new[] { project } }),
                ($"/api/v1/people/{person.Id}/clearance", new { clearance = "TopSecret" }),
            })
            {
                var response = await web.Client.PutAsJsonAsync(url, body);
                Assert.True(response.StatusCode is HttpStatusCode.Forbidden, $"{role}: PUT {url} → {(int)response.StatusCode}");
            }

            await app.EnsureApproversAsync();
            var wanted = role == Roles.GeneralManager ? Roles.ComplianceOfficer : Roles.GeneralManager;
            var asked = await web.Client.PostAsJsonAsync("/api/v1/requests", new { kind = "role-change", reason = "想要更多权限", person = person.UserName, role = wanted });
            Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
            var askedId = (await asked.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
            Assert.Equal(HttpStatusCode.Forbidden, (await web.Client.PostAsJsonAsync($"/api/v1/requests/{askedId}/approve", new { note = "自批" })).StatusCode);
            Assert.Equal(rolesBefore, await RolesOfAsync(person.Id));
            Assert.Equal(Clearance.Secret, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == person.Id))).Clearance);
            Assert.Equal(HttpStatusCode.NoContent, (await web.Client.PostAsync($"/api/v1/requests/{askedId}/withdraw", null)).StatusCode);

            // The in-scope customer: shown to the roles that work with customers, absent for the others.
            var apiDetail = await web.Client.GetAsync($"/api/v1/customers/{inScope.Id}");
            var pageDetail = await web.Client.GetAsync($"/customers/{inScope.Id}");
            var list = await (await web.Client.GetAsync("/api/v1/customers?pageSize=200")).Content.ReadAsStringAsync();
            if (CustomerRoles.Contains(role))
            {
                Assert.True(apiDetail.StatusCode == HttpStatusCode.OK, $"{role} cannot see its own customer: {apiDetail.StatusCode}");
                var page = await pageDetail.Content.ReadAsStringAsync();
                Assert.True(page.Contains(insideMarker, StringComparison.Ordinal), $"{role}: page {pageDetail.StatusCode} without the customer's tag: {page[Math.Max(0, page.IndexOf("<main>", StringComparison.Ordinal))..][..Math.Min(600, page.Length - Math.Max(0, page.IndexOf("<main>", StringComparison.Ordinal)))]}");
                Assert.Contains(inScope.Id.ToString(), list, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(HttpStatusCode.NotFound, apiDetail.StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, pageDetail.StatusCode);
                Assert.DoesNotContain(inScope.Id.ToString(), list, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(outOfScope.Id.ToString(), list, StringComparison.Ordinal);
        }

        Assert.True(calls >= Roles.All.Count * 60, $"only {calls} calls");
    }

    private async Task<List<string>> RolesOfAsync(Guid person) =>
        await app.WithDbAsync(db => (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == person orderby r.Name select r.Name!).ToListAsync());

    private IReadOnlyList<(string Method, string Pattern, Endpoint Endpoint)> Endpoints()
    {
        var source = app.Factory.Services.GetRequiredService<EndpointDataSource>();
        return [.. source.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.TrimStart('/').StartsWith("_framework", StringComparison.Ordinal)
                && !raw.TrimStart('/').StartsWith("css/", StringComparison.Ordinal) && !raw.TrimStart('/').StartsWith("img/", StringComparison.Ordinal)
                && !raw.TrimStart('/').StartsWith("custos.", StringComparison.Ordinal) && !raw.StartsWith("{**path:file}", StringComparison.Ordinal))
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'), (Endpoint)e)))
            // Signing out would end the walk.
            .Where(e => e.Item2 != "/account/logout")];
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}

public sealed class AuthorisationMatrixTestsOnSqlite(SqliteApp app) : AuthorisationMatrixTests<SqliteApp>(app);

public sealed class AuthorisationMatrixTestsOnPostgres(PostgresApp app) : AuthorisationMatrixTests<PostgresApp>(app);

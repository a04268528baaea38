using System.Net;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Audit;

/// <summary>
/// Monitoring (AUD-1): rules over the entry stream raise alerts for bulk revealing, repeated refusals, access
/// outside working hours and any touch of a decoy customer — which also suspends the person — once per person
/// per hour; the compliance officer handles them on the alerts page, and that is recorded.
/// </summary>
public abstract class AuditAlertTests(string provider)
{
    private static readonly Dictionary<string, string?> Rules = new()
    {
        ["Custos:Audit:Alerts:RevealsPerHour"] = "3",
        ["Custos:Audit:Alerts:DeniedPerHour"] = "2",
    };

    /// <summary>The next noon in China: inside working hours (the test clock only goes forward).</summary>
    private static DateTimeOffset NextNoon()
    {
        var now = TimeProvider.System.GetUtcNow();
        var noon = new DateTimeOffset(now.UtcDateTime.Date.AddHours(4), TimeSpan.Zero);
        return noon > now.AddMinutes(1) ? noon : noon.AddDays(1);
    }

    private sealed record Scene(AuditHost Host, Person Clerk, Guid Customer) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Host.DisposeAsync();

        public IServiceScope As(Person person) => Host.Factory.ActAs(person);

        public async Task<Person> PersonAsync(string name, string role, string department = Custos.Data.DatabaseInitialiser.DefaultDepartmentCode) =>
            await Host.WithAsync(async s => (await s.GetRequiredService<PeopleService>().CreateAsync(
                new NewPerson(name, "测试" + name, null, [role], [department], [], Clearance.Secret, CustosApp.Password), default)).Person);

        public async Task<IReadOnlyList<AuditAlert>> JudgeAsync()
        {
            await Host.SettleAsync();
            // As the server's alert worker does: the rules act as the system, not as whoever acted last.
            for (var i = 0; i < 100 && await Host.WithAsync(s =>
                 {
                     s.GetRequiredService<Custos.Security.BackgroundActor>().Set("system", "custos-alerts", null);
                     return s.GetRequiredService<AuditAlertRules>().EvaluateOnceAsync(default);
                 }) != 0; i++)
            {
                await Task.Delay(20);
            }

            return await Host.DbAsync(db => db.AuditAlerts.AsNoTracking().OrderBy(a => a.Id).ToListAsync());
        }
    }

    private async Task<Scene> SceneAsync()
    {
        var host = await AuditHost.StartAsync(provider, extra: Rules);
        host.Factory.Time.SetUtcNow(NextNoon());
        var scene = new Scene(host, null!, Guid.Empty);
        var clerk = await scene.PersonAsync("alert.clerk", Roles.Staff);
        Guid customer;
        using (var scope = scene.As(clerk))
        {
            customer = (await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
                CustomerKind.Individual, null, null, Clearance.Secret, new Dictionary<string, string?> { ["name"] = "吴告警", ["mobile"] = "13700001111" }), default)).Id;
        }

        return scene with { Clerk = clerk, Customer = customer };
    }

    [Fact]
    public async Task Revealing_more_than_the_hourly_threshold_raises_one_alert()
    {
        await using var scene = await SceneAsync();
        using (var scope = scene.As(scene.Clerk))
        {
            var customers = scope.ServiceProvider.GetRequiredService<CustomerService>();
            for (var i = 0; i < 3; i++)
            {
                await customers.RevealAsync(scene.Customer, "mobile", "follow-up", null, default);
            }

            Assert.DoesNotContain(await scene.JudgeAsync(), a => a.Rule == "reveals");
            for (var i = 0; i < 3; i++)
            {
                await customers.RevealAsync(scene.Customer, "mobile", "follow-up", null, default);
            }
        }

        var alert = Assert.Single(await scene.JudgeAsync(), a => a.Rule == "reveals");
        Assert.Equal(AlertSeverity.High, alert.Severity);
        Assert.Equal(scene.Clerk.Id.ToString(), alert.PersonId);
        Assert.Contains("\"threshold\":3", alert.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("13700001111", alert.Detail, StringComparison.Ordinal);
        Assert.False(alert.Suspended);
    }

    [Fact]
    public async Task Customer_access_outside_working_hours_and_repeated_refusals_raise_alerts()
    {
        await using var scene = await SceneAsync();
        scene.Host.Factory.Time.Advance(TimeSpan.FromHours(11.5)); // 23:30 in China
        using (var scope = scene.As(scene.Clerk))
        {
            await scope.ServiceProvider.GetRequiredService<CustomerService>().GetAsync(scene.Customer, default);
        }

        // Someone from another department tries the customer three times.
        await scene.Host.WithAsync(s => s.GetRequiredService<Custos.Features.Organisation.OrganisationService>().AddDepartmentAsync("OTHER", "其他部门", default));
        var stranger = await scene.PersonAsync("alert.stranger", Roles.Staff, "OTHER");
        using (var scope = scene.As(stranger))
        {
            var customers = scope.ServiceProvider.GetRequiredService<CustomerService>();
            for (var i = 0; i < 3; i++)
            {
                await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() => customers.GetAsync(scene.Customer, default));
            }
        }

        var alerts = await scene.JudgeAsync();
        var late = Assert.Single(alerts, a => a.Rule == "after-hours");
        Assert.Equal(scene.Clerk.Id.ToString(), late.PersonId);
        Assert.Contains("23:30 +08:00", late.Detail, StringComparison.Ordinal);
        var denied = Assert.Single(alerts, a => a.Rule == "denied");
        Assert.Equal(stranger.Id.ToString(), denied.PersonId);
    }

    [Fact]
    public async Task A_refusal_from_outside_the_allowed_networks_raises_an_alert_that_reaches_the_compliance_officer()
    {
        await using var scene = await SceneAsync();
        var officer = await scene.PersonAsync("alert.officer", Roles.ComplianceOfficer);
        using (var scope = scene.As(scene.Clerk))
        {
            scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>().HttpContext!.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.5");
            var refused = await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() => scope.ServiceProvider.GetRequiredService<CustomerService>().GetAsync(scene.Customer, default));
            Assert.Equal("Policy.Network", refused.Code);
        }

        var alert = Assert.Single(await scene.JudgeAsync(), a => a.Rule == "outside-network");
        Assert.Equal((AlertSeverity.High, scene.Clerk.Id.ToString()), (alert.Severity, alert.PersonId));
        Assert.Contains("203.0.113.5", alert.Detail, StringComparison.Ordinal);
        var inbox = await scene.Host.DbAsync(db => db.Notifications.AsNoTracking().Where(n => n.RecipientId == officer.Id).ToListAsync());
        var message = Assert.Single(inbox, n => n.Kind == "Notify.Alert");
        Assert.Equal([alert.PersonName, "AlertRule.outside-network", "AlertSeverity.High"], message.ArgList);
    }

    [Fact]
    public async Task Someone_whose_departure_is_announced_who_reveals_or_lists_customers_raises_an_alert()
    {
        await using var scene = await SceneAsync();
        using (var scope = scene.As(scene.Clerk))
        {
            await scope.ServiceProvider.GetRequiredService<CustomerService>().RevealAsync(scene.Customer, "mobile", "follow-up", null, default);
        }

        Assert.DoesNotContain(await scene.JudgeAsync(), a => a.Rule == "departing");

        // The administrator records the last working day; from then on reveals and lists are watched.
        await scene.Host.WithAsync(async s =>
        {
            await s.GetRequiredService<PeopleService>().SetDepartureAsync(scene.Clerk.Id, new DateOnly(2027, 1, 15), default);
            return 0;
        });
        using (var scope = scene.As(scene.Clerk))
        {
            var customers = scope.ServiceProvider.GetRequiredService<CustomerService>();
            await customers.ListAsync(null, null, 50, default);
            await customers.RevealAsync(scene.Customer, "mobile", "follow-up", null, default);
        }

        var alert = Assert.Single(await scene.JudgeAsync(), a => a.Rule == "departing");
        Assert.Equal((AlertSeverity.High, scene.Clerk.Id.ToString()), (alert.Severity, alert.PersonId));
        Assert.Contains("2027-01-15", alert.Detail, StringComparison.Ordinal);
        Assert.True(await scene.Host.DbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == "person.departure" && a.TargetId == scene.Clerk.Id.ToString())));
    }

    [Fact]
    public async Task Someone_whose_departure_is_announced_who_prints_a_customer_raises_an_alert()
    {
        await using var scene = await SceneAsync();
        var head = await scene.PersonAsync("alert.head", Roles.DepartmentHead);
        await scene.Host.WithAsync(async s =>
        {
            await s.GetRequiredService<PeopleService>().SetDepartureAsync(scene.Clerk.Id, new DateOnly(2027, 2, 1), default);
            return 0;
        });
        Guid request;
        using (var scope = scene.As(scene.Clerk))
        {
            request = (await scope.ServiceProvider.GetRequiredService<Custos.Features.Access.RequestService>().SubmitAsync(
                new Custos.Features.Access.NewRequest(Custos.Kernel.Policy.RequestKind.Print, "交接前打印客户档案", Customer: scene.Customer), default)).Id;
        }

        using (var scope = scene.As(head))
        {
            await scope.ServiceProvider.GetRequiredService<Custos.Features.Access.RequestService>().DecideAsync(request, true, null, default);
        }

        using (var scope = scene.As(scene.Clerk))
        {
            await scope.ServiceProvider.GetRequiredService<Custos.Features.Copies.CopyService>().PrintAsync(scene.Customer, new Custos.Features.Copies.PrintOrder("service"), default);
        }

        var alert = Assert.Single(await scene.JudgeAsync(), a => a.Rule == "departing");
        Assert.Contains("customer.print", alert.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_a_decoy_customer_raises_a_critical_alert_and_suspends_the_person_and_planting_one_never_does()
    {
        await using var scene = await SceneAsync();

        // Nobody marks a customer as a decoy by tagging it: not a clerk, not a department head creating one.
        using (var scope = scene.As(scene.Clerk))
        {
            var customers = scope.ServiceProvider.GetRequiredService<CustomerService>();
            Assert.Equal("TagReserved", (await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() => customers.SetTagsAsync(scene.Customer, ["decoy"], default))).Code);
            Assert.Equal("TagReserved", (await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() => customers.CreateAsync(new NewCustomer(
                CustomerKind.Individual, null, null, Clearance.Secret, new Dictionary<string, string?> { ["name"] = "诱饵甲" }, ["Decoy"]), default))).Code);
            Assert.Equal("MayNotManageDecoys", (await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() => scope.ServiceProvider.GetRequiredService<DecoyService>().PlantAsync("GENERAL", default))).Code);
        }

        // The compliance officer plants one, lists the decoys: recorded as decoy.*, and no alert for it.
        var officer = await scene.PersonAsync("alert.officer", Roles.ComplianceOfficer);
        DecoyView decoy;
        using (var scope = scene.As(officer))
        {
            var decoys = scope.ServiceProvider.GetRequiredService<DecoyService>();
            decoy = await decoys.PlantAsync(Custos.Data.DatabaseInitialiser.DefaultDepartmentCode, default);
            Assert.Contains(await decoys.ListAsync(default), d => d.Id == decoy.Id);
        }

        Assert.DoesNotContain(await scene.JudgeAsync(), a => a.PersonId == officer.Id.ToString() && a.Rule == "decoy");
        Assert.True(await scene.Host.DbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == "decoy.plant" && a.TargetId == decoy.Id.ToString() && a.ActorId == officer.Id.ToString())));

        // Anyone else who opens it is noticed and suspended.
        var curious = await scene.PersonAsync("alert.curious", Roles.Staff);
        using (var scope = scene.As(curious))
        {
            await scope.ServiceProvider.GetRequiredService<CustomerService>().GetAsync(decoy.Id, default);
        }

        var alert = Assert.Single(await scene.JudgeAsync(), a => a.Rule == "decoy" && a.PersonId == curious.Id.ToString());
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.True(alert.Suspended);
        var person = await scene.Host.DbAsync(db => db.Users.AsNoTracking().SingleAsync(p => p.Id == curious.Id));
        Assert.Equal(EmploymentStatus.Suspended, person.EmploymentStatus);
        Assert.True(await scene.Host.DbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == "person.disable" && a.TargetId == curious.Id.ToString() && a.ActorId == "system")));

        using (var scope = scene.As(officer))
        {
            await scope.ServiceProvider.GetRequiredService<DecoyService>().RetireAsync(decoy.Id, default);
        }

        Assert.False(await scene.Host.DbAsync(db => db.Customers.AnyAsync(c => c.Id == decoy.Id)));
    }

    [Fact]
    public async Task The_compliance_officer_handles_an_alert_on_the_alerts_page_with_a_note()
    {
        await using var scene = await SceneAsync();
        using (var scope = scene.As(scene.Clerk))
        {
            var customers = scope.ServiceProvider.GetRequiredService<CustomerService>();
            for (var i = 0; i < 4; i++)
            {
                await customers.RevealAsync(scene.Customer, "mobile", "follow-up", null, default);
            }
        }

        var alert = Assert.Single(await scene.JudgeAsync());
        var officer = await scene.PersonAsync("alert.officer", Roles.ComplianceOfficer);
        using var web = new WebSession(scene.Host.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }), scene.Host.Factory.Time);
        await web.SignInAsync(officer.UserName!);
        await web.EnrolMfaAsync();

        var (response, page) = await web.GetPageAsync("/alerts");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(alert.PersonName, page.QuerySelector("#open-alerts")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("一小时内显示明文过多", page.QuerySelector("#open-alerts")!.TextContent, StringComparison.Ordinal);

        await web.SubmitAsync("/alerts", $"form:has(#handle-{alert.Id})", new Dictionary<string, string> { ["note"] = "" });
        Assert.Null((await scene.Host.DbAsync(db => db.AuditAlerts.AsNoTracking().SingleAsync(a => a.Id == alert.Id))).HandledAt);

        await web.SubmitAsync("/alerts", $"form:has(#handle-{alert.Id})", new Dictionary<string, string> { ["note"] = "已核实：客户投诉集中回访，属正常工作。" });
        var handled = await scene.Host.DbAsync(db => db.AuditAlerts.AsNoTracking().SingleAsync(a => a.Id == alert.Id));
        Assert.NotNull(handled.HandledAt);
        Assert.Equal("已核实：客户投诉集中回访，属正常工作。", handled.Note);
        Assert.True(await scene.Host.DbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == "alert.handle" && a.ActorId == officer.Id.ToString())));
        var (_, after) = await web.GetPageAsync("/alerts");
        Assert.NotNull(after.QuerySelector("#no-open-alerts"));
    }
}

public sealed class SqliteAuditAlertTests() : AuditAlertTests("sqlite");

public sealed class PostgresAuditAlertTests() : AuditAlertTests("postgres");

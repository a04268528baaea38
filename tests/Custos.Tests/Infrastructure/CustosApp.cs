using System.Net.Http.Json;
using Custos.Data;
using Custos.Features.Access;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Hosting;
using Custos.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Serilog.Core;

namespace Custos.Tests.Infrastructure;

/// <summary>
/// Custos in-process through <see cref="WebApplicationFactory{TEntryPoint}"/>, on a real database of its
/// own, with a controllable clock and captured logs.
/// </summary>
public sealed class CustosFactory(Dictionary<string, string?> settings, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    public FakeTimeProvider Time { get; } = new(TimeProvider.System.GetUtcNow());

    public LogCapture Logs { get; } = new();

    /// <summary>
    /// A service scope in which <paramref name="person"/> is the acting person, as if signed in. The person is set in
    /// the caller's flow until the scope is disposed, so work after it acts as the system again.
    /// </summary>
    public IServiceScope ActAs(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        var scope = Services.CreateScope();
        var accessor = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>();
        var identity = new System.Security.Claims.ClaimsIdentity("test");
        identity.AddClaim(new(System.Security.Claims.ClaimTypes.NameIdentifier, person.Id.ToString()));
        identity.AddClaim(new(System.Security.Claims.ClaimTypes.Name, person.UserName ?? ""));
        identity.AddClaim(new(Custos.Security.CustosClaims.DisplayName, person.DisplayName));
        accessor.HttpContext = new Microsoft.AspNetCore.Http.DefaultHttpContext { User = new(identity) };
        return new ActingScope(scope, accessor);
    }

    /// <summary>A scope acting as the system: no person in the flow, as at start-up or in a background job.</summary>
    public IServiceScope AsSystem()
    {
        var scope = Services.CreateScope();
        var accessor = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>();
        accessor.HttpContext = null;
        return scope;
    }

    private sealed class ActingScope(IServiceScope scope, Microsoft.AspNetCore.Http.IHttpContextAccessor accessor) : IServiceScope
    {
        public IServiceProvider ServiceProvider => scope.ServiceProvider;

        public void Dispose()
        {
            accessor.HttpContext = null;
            scope.Dispose();
        }
    }

    protected override IHostBuilder CreateHostBuilder() => CustosWebHost.CreateBuilder(settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(collection =>
        {
            collection.AddSingleton<TimeProvider>(Time);
            collection.AddSingleton<ILogEventSink>(Logs);
            collection.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, ClientAddressFilter>();
            services?.Invoke(collection);
        });
}

/// <summary>
/// The test server has no network connection: a request's client address comes from the
/// <c>X-Test-Client</c> header (absent: 10.0.0.10, inside the default private networks), so tests can
/// call from outside the allowed networks (ACC-6).
/// </summary>
public sealed class ClientAddressFilter : Microsoft.AspNetCore.Hosting.IStartupFilter
{
    public const string Header = "X-Test-Client";

    public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(context.Request.Headers[Header].FirstOrDefault() ?? "10.0.0.10");
            return following(context);
        });
        next(app);
    };
}

/// <summary>One Custos instance shared by the tests of a class; each test makes its own people.</summary>
public abstract class CustosApp : IAsyncLifetime
{
    public const string Password = "Tiger-Lake-2049";
    private int counter;

    public CustosFactory Factory { get; private set; } = null!;

    public abstract string Provider { get; }

    /// <summary>Configuration for a fresh database of this provider.</summary>
    protected abstract Task<Dictionary<string, string?>> SettingsAsync();

    public async Task InitializeAsync()
    {
        var settings = await SettingsAsync();
        settings["Custos:NoDemo"] = "true";
        Factory = new CustosFactory(settings);
        Factory.StartServer();
    }

    public virtual async Task DisposeAsync() => await Factory.DisposeAsync();

    public string KeyFilePath => Factory.Services.GetRequiredService<CustosSettings>().FullKeyFile;

    /// <summary>The private working folder of this instance's data directory.</summary>
    public string WorkDir => Factory.Services.GetRequiredService<CustosSettings>().FullWorkDir;

    public WebSession Session() => new(Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }), Factory.Time);

    public HttpClient ApiClient(string? bearer = null)
    {
        var client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        }

        return client;
    }

    public string UniqueName(string prefix) => $"{prefix}{Interlocked.Increment(ref counter)}x{Guid.NewGuid().ToString("N")[..4]}";

    /// <summary>Creates a person directly through the product's own service, acting as the system.</summary>
    public async Task<Person> CreatePersonAsync(string role, string? userName = null, string password = Password, string[]? departments = null, string[]? projects = null)
    {
        using var scope = Factory.AsSystem();
        var people = scope.ServiceProvider.GetRequiredService<PeopleService>();
        var (person, _, _) = await people.CreateAsync(new NewPerson(
            userName ?? UniqueName(role.Replace("-", "", StringComparison.Ordinal)), "测试" + role, null, [role],
            departments ?? [DatabaseInitialiser.DefaultDepartmentCode], projects ?? [], Clearance.Secret, password), default);
        if (role == Roles.Partner)
        {
            // A partner's user works for a registered partner with an agreement in force (PPL-4), as in a real installation.
            await LinkToPartnerAsync(person);
        }

        return person;
    }

    private Guid? testPartner;
    private Person? partnerOfficer;
    private readonly SemaphoreSlim partnerGate = new(1, 1);

    /// <summary>The application's test partner (registered once, with a two-year agreement), through the register's own service.</summary>
    public async Task<Guid> TestPartnerAsync()
    {
        await partnerGate.WaitAsync();
        try
        {
            if (testPartner is null)
            {
                using (var system = Factory.AsSystem())
                {
                    var (officer, _, _) = await system.ServiceProvider.GetRequiredService<PeopleService>().CreateAsync(new NewPerson(
                        UniqueName("partnerdesk"), "测试合规", null, [Roles.ComplianceOfficer], [DatabaseInitialiser.DefaultDepartmentCode], [], Clearance.Secret, Password), default);
                    partnerOfficer = officer;
                }

                var today = DateOnly.FromDateTime(Factory.Time.GetUtcNow().UtcDateTime);
                testPartner = await AsAsync(partnerOfficer!, async s =>
                {
                    var register = s.GetRequiredService<Features.Partners.PartnerService>();
                    var partner = await register.AddAsync(new Features.Partners.NewPartner("测试合作方" + UniqueName("p"), CreditCodes.Next(), "测试联系人", "13800138000"), default);
                    await register.RecordAgreementAsync(partner.Id, new Features.Partners.NewPartnerAgreement(
                        "NDA-TEST", "测试", today.AddDays(-30), today.AddYears(2), "测试联系人", "%PDF-1.4 test"u8.ToArray()), default);
                    return partner.Id;
                });
            }

            return testPartner.Value;
        }
        finally
        {
            partnerGate.Release();
        }
    }

    /// <summary>Links a person to the application's test partner, as its compliance officer would.</summary>
    public async Task LinkToPartnerAsync(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        var partner = await TestPartnerAsync();
        await AsAsync(partnerOfficer!, async s =>
        {
            await s.GetRequiredService<Features.Partners.PartnerService>().LinkUserAsync(partner, person.UserName, default);
            return true;
        });
    }

    /// <summary>Links a project to the application's test partner, so that its users may be asked into it (PPL-4).</summary>
    public async Task LinkProjectToTestPartnerAsync(string projectCode)
    {
        var partner = await TestPartnerAsync();
        await AsAsync(partnerOfficer!, async s =>
        {
            await s.GetRequiredService<Features.Partners.PartnerService>().LinkProjectAsync(partner, projectCode, default);
            return true;
        });
    }

    /// <summary>
    /// Approves every remaining step of a request, each by a new person holding the step's role (in the request's
    /// department when the step asks for it), through the product's own workflow. Returns the request as it ends.
    /// </summary>
    public async Task<Features.Access.RequestView> ApproveAsync(Guid request)
    {
        Features.Access.RequestView? view = null;
        for (var guard = 0; guard < 10; guard++)
        {
            var (chain, step, department) = await WithDbAsync(async db =>
            {
                var r = await db.AccessRequests.AsNoTracking().Include(x => x.Approvals).SingleAsync(x => x.Id == request);
                var engine = await Factory.Services.GetRequiredService<PolicyStore>().AtAsync(db, r.PolicyVersion, default); // the chain it was filed under
                var c = engine.ChainFor(r.Kind);
                var done = r.Status != Features.Access.RequestStatus.Pending ? -1
                    : Kernel.Policy.ApprovalRules.CurrentStep(c, new Kernel.Policy.ApprovalSubject(r.Kind, r.RequesterId, r.DepartmentId, r.ProjectId, [.. r.Approvals.Where(a => a.Approved).Select(a => (a.Step, a.OnBehalfOfId ?? a.ApproverId))]));
                var code = r.DepartmentId is { } d ? await db.Departments.Where(x => x.Id == d).Select(x => x.Code).SingleAsync() : null;
                return (c, done, code);
            });
            if (step < 0)
            {
                return view ?? throw new InvalidOperationException("The request is not pending.");
            }

            var rule = chain[step];
            var approver = await CreatePersonAsync(rule.Role, departments: rule.Of == Kernel.Policy.ApproverRelation.Department && department is not null ? [department] : null);
            using var scope = ActAs(approver);
            view = await scope.ServiceProvider.GetRequiredService<Features.Access.RequestService>().DecideAsync(request, true, "同意", default);
        }

        throw new InvalidOperationException("The request has more steps than expected.");
    }

    private int approversReady;

    /// <summary>A compliance officer and a general manager, so that requests for privileges and policies can be filed at all.</summary>
    public async Task EnsureApproversAsync()
    {
        if (Interlocked.Exchange(ref approversReady, 1) == 0)
        {
            await CreatePersonAsync(Roles.ComplianceOfficer);
            await CreatePersonAsync(Roles.GeneralManager);
        }
    }

    /// <summary>Proposes a policy as <paramref name="proposer"/> (202, filed for approval) and has it approved: the version is then in force.</summary>
    public async Task<HttpResponseMessage> PutPolicyInForceAsync(WebSession proposer, string text, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(proposer);
        await EnsureApproversAsync();
        var response = await proposer.Client.PostAsJsonAsync("/api/v1/policy", new { text, note });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");

        var id = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        var done = await ApproveAsync(id);
        Assert.Equal(Features.Access.RequestStatus.Approved, done.Status);
        return response;
    }

    /// <summary>A signed-in IT administrator who has enrolled two-factor authentication.</summary>
    public async Task<WebSession> AdminSessionAsync()
    {
        var admin = await CreatePersonAsync(Roles.ItAdministrator);
        var web = Session();
        await web.SignInAsync(admin.UserName!);
        await web.EnrolMfaAsync();
        return web;
    }

    /// <summary>A service scope in which <paramref name="person"/> is the acting person, as if signed in.</summary>
    public IServiceScope ActAs(Person person) => Factory.ActAs(person);

    /// <summary>A service scope acting as the system (set-up, background work).</summary>
    public IServiceScope AsSystem() => Factory.AsSystem();

    public async Task<T> WithDbAsync<T>(Func<CustosDbContext, Task<T>> query)
    {
        using var scope = Factory.Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<CustosDbContext>());
    }

    /// <summary>A new department with a unique code.</summary>
    public async Task<string> DepartmentAsync()
    {
        var code = UniqueName("C").ToUpperInvariant();
        using var scope = Factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddDepartmentAsync(code, "部门" + code, default);
        return code;
    }

    /// <summary>A new project of <paramref name="department"/> with a unique code.</summary>
    public async Task<string> ProjectAsync(string department)
    {
        var code = UniqueName("P").ToUpperInvariant();
        using var scope = Factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddProjectAsync(code, "项目" + code, department, default);
        return code;
    }

    /// <summary>A synthetic customer of <paramref name="department"/>, created by <paramref name="creator"/>.</summary>
    public async Task<(Customer Customer, Features.Demo.SyntheticCustomer Values)> CustomerAsync(Person creator, string department, int seed)
    {
        var synthetic = new Features.Demo.SyntheticCustomers(seed).Generate(1).Single();
        using var scope = ActAs(creator);
        var customer = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
            CustomerKind.Individual, department, null, Clearance.Secret,
            new Dictionary<string, string?> { [FieldCatalogue.Name] = synthetic.Name, [FieldCatalogue.Mobile] = synthetic.Mobile, [FieldCatalogue.IdNumber] = synthetic.IdNumber }), default);
        return (customer, synthetic);
    }

    public async Task<T> AsAsync<T>(Person person, Func<IServiceProvider, Task<T>> call)
    {
        using var scope = ActAs(person);
        return await call(scope.ServiceProvider);
    }

    /// <summary>Files the request as <paramref name="requester"/> and approves it step by step.</summary>
    public async Task ApprovedAsync(Person requester, NewRequest request, params Person[] approvers)
    {
        var submitted = await AsAsync(requester, s => s.GetRequiredService<RequestService>().SubmitAsync(request, default));
        foreach (var approver in approvers)
        {
            await AsAsync(approver, s => s.GetRequiredService<RequestService>().DecideAsync(submitted.Id, true, null, default));
        }

        var done = await WithDbAsync(db => db.AccessRequests.SingleAsync(r => r.Id == submitted.Id));
        Assert.Equal(RequestStatus.Approved, done.Status);
    }

    /// <summary>The newest audit entry of <paramref name="person"/> for <paramref name="action"/>.</summary>
    public Task<AuditRecord> LastEntryAsync(Person person, string action) =>
        WithDbAsync(db => db.AuditRecords.Where(a => a.ActorId == person.Id.ToString() && a.Action == action).OrderByDescending(a => a.Id).FirstAsync());

    public async Task<string?> AuthenticatorKeyAsync(Guid personId)
    {
        using var scope = Factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var person = await users.FindByIdAsync(personId.ToString());
        return await users.GetAuthenticatorKeyAsync(person!);
    }
}

public sealed class SqliteApp : CustosApp
{
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "custos-test-" + Guid.NewGuid().ToString("N")[..8]);

    public override string Provider => "sqlite";

    public string DataDir => dataDir;

    protected override Task<Dictionary<string, string?>> SettingsAsync() =>
        Task.FromResult(new Dictionary<string, string?> { ["Custos:DataDir"] = dataDir });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        TestPaths.Delete(dataDir);
    }
}

public sealed class PostgresApp : CustosApp
{
    public override string Provider => "postgres";

    private readonly string keyFile = TestPaths.NewKeyFile();

    /// <summary>With PostgreSQL the data directory holds only the private working folder (uploads waiting for their mapping).</summary>
    public string DataDir { get; } = TestPaths.NewDataDir("pg-work");

    public string ConnectionString { get; private set; } = "";

    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        ConnectionString = (await SharedPostgres.Server).CreateDatabaseConnectionString();
        return new Dictionary<string, string?> { ["Custos:Database"] = ConnectionString, ["Custos:KeyFile"] = keyFile, ["Custos:DataDir"] = DataDir };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(keyFile);
        TestPaths.DeleteShares(keyFile[..^".keys".Length] + ".shares");
        TestPaths.Delete(DataDir);
    }
}

/// <summary>One PostgreSQL cluster for the whole test run, removed when the process exits.</summary>
public static class SharedPostgres
{
    private static readonly Lazy<Task<PostgresServer>> Instance = new(async () =>
    {
        var server = await PostgresServer.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    });

    public static Task<PostgresServer> Server => Instance.Value;
}

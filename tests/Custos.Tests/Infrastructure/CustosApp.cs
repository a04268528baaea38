using Custos.Data;
using Custos.Features.People;
using Custos.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
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

    /// <summary>A service scope in which <paramref name="person"/> is the acting person, as if signed in.</summary>
    public IServiceScope ActAs(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        var scope = Services.CreateScope();
        var accessor = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>();
        var identity = new System.Security.Claims.ClaimsIdentity("test");
        identity.AddClaim(new(System.Security.Claims.ClaimTypes.NameIdentifier, person.Id.ToString()));
        accessor.HttpContext = new Microsoft.AspNetCore.Http.DefaultHttpContext { User = new(identity) };
        return scope;
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

    public WebSession Session() => new(Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

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
    public async Task<Person> CreatePersonAsync(string role, string? userName = null, string password = Password, string[]? departments = null)
    {
        using var scope = Factory.Services.CreateScope();
        var people = scope.ServiceProvider.GetRequiredService<PeopleService>();
        var (person, _) = await people.CreateAsync(new NewPerson(
            userName ?? UniqueName(role.Replace("-", "", StringComparison.Ordinal)), "测试" + role, null, [role],
            departments ?? [DatabaseInitialiser.DefaultDepartmentCode], [], Clearance.Secret, password), default);
        return person;
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

    public async Task<T> WithDbAsync<T>(Func<CustosDbContext, Task<T>> query)
    {
        using var scope = Factory.Services.CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<CustosDbContext>());
    }

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

    public string ConnectionString { get; private set; } = "";

    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        ConnectionString = (await SharedPostgres.Server).CreateDatabaseConnectionString();
        return new Dictionary<string, string?> { ["Custos:Database"] = ConnectionString, ["Custos:KeyFile"] = keyFile };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(keyFile);
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

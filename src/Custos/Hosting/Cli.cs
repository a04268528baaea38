using System.CommandLine;
using System.Globalization;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Security;
using Custos.Web;
using Microsoft.Extensions.Localization;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace Custos.Hosting;

/// <summary>
/// Shared plumbing of the <c>custos</c> commands: the options every data command takes, a service scope
/// on an initialised database, the acting person (<c>--as</c>), and uniform, localised error output.
/// </summary>
public static class Cli
{
    public static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Data directory of the embedded database (default ./custos-data; env CUSTOS_DATA_DIR)",
        Recursive = true,
    };

    public static readonly Option<string?> Database = new("--database")
    {
        Description = "PostgreSQL connection string; omit for the embedded SQLite database (env CUSTOS_DATABASE)",
        Recursive = true,
    };

    public static readonly Option<string?> KeyFile = new("--key-file")
    {
        Description = "Key file (default: beside the data directory; env CUSTOS_KEY_FILE). Passphrase, if sealed: env CUSTOS_KEY_PASSPHRASE",
        Recursive = true,
    };

    public static readonly Option<string> As = new("--as")
    {
        Description = "The person an administrative command acts as, and is recorded under",
        DefaultValueFactory = _ => DatabaseInitialiser.AdminUserName,
        Recursive = true,
    };

    /// <summary>Configuration keys from the global options; only those given on the command line.</summary>
    public static Dictionary<string, string?> Overrides(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var overrides = new Dictionary<string, string?>();
        if (parse.GetValue(DataDir) is { } dataDir)
        {
            overrides["Custos:DataDir"] = dataDir;
        }

        if (parse.GetValue(Database) is { } database)
        {
            overrides["Custos:Database"] = database;
        }

        if (parse.GetValue(KeyFile) is { } keyFile)
        {
            overrides["Custos:KeyFile"] = keyFile;
        }

        return overrides;
    }

    /// <summary>The settings a command runs with: appsettings.json, <c>CUSTOS_*</c> environment variables, then the command line's options.</summary>
    public static CustosSettings SettingsFor(ParseResult parse)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables();
        CustosConfiguration.Add(configuration, Overrides(parse));
        return CustosSettings.From(configuration.Build());
    }

    /// <summary>Messages follow <c>CUSTOS_LANG</c>, else <c>LANG</c>: English when it starts with "en", else Chinese.</summary>
    public static void ApplyCulture()
    {
        var lang = Environment.GetEnvironmentVariable("CUSTOS_LANG") ?? Environment.GetEnvironmentVariable("LANG") ?? "";
        var culture = lang.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? CustosWebHost.Cultures[1] : CustosWebHost.Cultures[0];
        CultureInfo.CurrentUICulture = culture;
        CultureInfo.DefaultThreadCurrentUICulture = culture;
    }

    /// <summary>
    /// Runs <paramref name="action"/> in a service scope on an initialised database, acting as <c>--as</c>.
    /// Failures print one localised line and give exit code 1 (2 for an unusable database).
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<IServiceProvider, IStringLocalizer<Strings>, CancellationToken, Task> action, CancellationToken ct, bool migrate = false, bool actAsPerson = true, bool requireAdministrator = true, IReadOnlyCollection<string>? allowedRoles = null,
        Func<IServiceProvider, IStringLocalizer<Strings>, CancellationToken, Task>? beforeInitialise = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(action);
        var settings = SettingsFor(parse);

        var services = new ServiceCollection();
        services.AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None));
        services.AddCustosCore(settings);
        var actor = new CommandLineActor();
        services.AddSingleton<ICurrentActor>(actor);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await using var scope = provider.CreateAsyncScope();
        var text = scope.ServiceProvider.GetRequiredService<IStringLocalizer<Strings>>();
        try
        {
            scope.ServiceProvider.GetRequiredService<Kernel.Classification.FieldCatalogue>();
            if (beforeInitialise is not null)
            {
                // Work on the database before it is opened (a restore puts it in place).
                await beforeInitialise(scope.ServiceProvider, text, ct);
            }

            var result = await scope.ServiceProvider.GetRequiredService<DatabaseInitialiser>().InitialiseAsync(migrate, ct);
            if (result.InitialAdminPassword is not null)
            {
                ReportInitialAdmin(result, text);
            }

            if (actAsPerson)
            {
                var who = parse.GetValue(As) ?? DatabaseInitialiser.AdminUserName;
                var person = await scope.ServiceProvider.GetRequiredService<PeopleService>().FindAsync(who, ct);
                if (person.EmploymentStatus != EmploymentStatus.Active)
                {
                    throw CustosException.Invalid("ActorNotActive", who);
                }

                var roles = await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Person>>().GetRolesAsync(person);
                if (allowedRoles is not null && !roles.Any(allowedRoles.Contains))
                {
                    // Deny by default: a command names the roles it is for.
                    throw CustosException.Invalid("ActorNotAllowed", who, string.Join(", ", allowedRoles));
                }

                if (allowedRoles is null && requireAdministrator && !roles.Contains(Roles.ItAdministrator))
                {
                    // Deny by default: administration from the command line is for IT administrators (ACC-2).
                    throw CustosException.Invalid("ActorNotAdministrator", who);
                }

                actor.Set(person.Id.ToString(), ActorNames.Of(person.DisplayName, person.UserName ?? who));
            }

            try
            {
                await action(scope.ServiceProvider, text, ct);
            }
            finally
            {
                await SequenceWrittenAsync(scope.ServiceProvider, ct);
            }

            return 0;
        }
        catch (CustosException e)
        {
            Error(Messages.For(text, e));
            return 1;
        }
        catch (CommandFailedException)
        {
            return 1;
        }
        catch (SchemaMismatchException e)
        {
            Error(e.Message);
            return 2;
        }
        catch (DatabaseUnavailableException e)
        {
            Error(text["Error.DatabaseUnreachable", e.Message]);
            return 2;
        }
        catch (Kernel.Crypto.KeyFileException e)
        {
            Error(text["Error.KeysUnusable", e.Message]);
            return 2;
        }
        catch (Features.Classification.SettingsException e)
        {
            Error(e.Message);
            return 2;
        }
    }

    /// <summary>
    /// A command that recorded something puts it into the tamper-evident log before it exits (AUD-1): an entry left
    /// outside the tree could be altered unseen until a server sequenced it. When a server holds the sequencer's lead,
    /// its sequencer does it; the command waits for that, a little.
    /// </summary>
    private static async Task SequenceWrittenAsync(IServiceProvider services, CancellationToken ct)
    {
        if (services.GetRequiredService<AuditRequestState>().Committed == 0)
        {
            return;
        }

        var db = services.GetRequiredService<CustosDbContext>();
        for (var attempt = 0; attempt < 300; attempt++)
        {
            db.ChangeTracker.Clear();
            await services.GetRequiredService<Features.Audit.AuditSequencer>().SequenceAllAsync(ct, checkpointNow: true);
            if (!await db.AuditRecords.AnyAsync(a => a.Sequence == null, ct))
            {
                return;
            }

            await Task.Delay(100, ct);
        }
    }

    /// <summary>Writes a table: box drawing on a terminal, plain ASCII when redirected to a file or pipe.</summary>
    public static void Write(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (Console.IsOutputRedirected)
        {
            table.Border(TableBorder.Ascii);
        }

        AnsiConsole.Write(table);
    }

    /// <summary>Runs long work with a progress bar on a terminal, and plain progress lines otherwise (CI logs, pipes).</summary>
    public static async Task<T> WithProgressAsync<T>(string label, Func<IProgress<(int Done, int Total)>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            T result = default!;
            await AnsiConsole.Progress().StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(label));
                result = await work(new Progress<(int Done, int Total)>(p =>
                {
                    // A total of 0 means not known yet (rows still being counted).
                    task.IsIndeterminate = p.Total == 0;
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Total == 0 ? 0 : p.Done;
                }));
                task.Value = task.MaxValue;
            });
            return result;
        }

        var last = -1;
        var counted = -1;
        return await work(new Progress<(int Done, int Total)>(p =>
        {
            if (p.Total == 0)
            {
                // The total is not known yet: say how far it got, every 100,000 rows.
                if (p.Done / 100_000 != counted / 100_000)
                {
                    counted = p.Done;
                    Console.WriteLine($"{label} {p.Done}…");
                }

                return;
            }

            var percent = p.Done * 100 / p.Total;
            if (percent / 10 != last / 10)
            {
                last = percent;
                Console.WriteLine($"{label} {p.Done}/{p.Total} ({percent}%)");
            }
        }));
    }

    public static void Error(string message)
    {
        var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        stderr.MarkupLine("[red]" + Markup.Escape(message) + "[/]");
    }

    public static void ReportInitialAdmin(InitialisationResult result, IStringLocalizer<Strings> text)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(text);
        if (result.InitialAdminPasswordFile is not null)
        {
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.InitialAdminFile", DatabaseInitialiser.AdminUserName, result.InitialAdminPasswordFile]));
        }
        else
        {
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.InitialAdminPassword", DatabaseInitialiser.AdminUserName, result.InitialAdminPassword!]));
        }
    }

    /// <summary>Reads a secret from standard input (first line), so it never appears in a process list or shell history.</summary>
    public static string ReadSecretFromStdin()
    {
        var line = Console.In.ReadLine();
        return string.IsNullOrEmpty(line) ? throw CustosException.Invalid("PasswordRequired") : line.TrimEnd('\r', '\n');
    }

    /// <summary>Thrown by a command that has already explained its failure on the console.</summary>
    public sealed class CommandFailedException : Exception
    {
        public CommandFailedException()
        {
        }

        public CommandFailedException(string message)
            : base(message)
        {
        }

        public CommandFailedException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }

    private sealed class CommandLineActor : ICurrentActor
    {
        public string Id { get; private set; } = FixedActor.System.Id;

        public string Name { get; private set; } = FixedActor.System.Name;

        public string? ClientAddress => "cli";

        public void Set(string id, string name)
        {
            Id = id;
            Name = name;
        }
    }
}

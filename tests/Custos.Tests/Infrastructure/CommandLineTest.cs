using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Custos.Tests.Infrastructure;

/// <summary>
/// The <c>custos</c> executable, run as a separate process the way scripts and CI run it, on a data directory of
/// the test's own. The suites that use it run one after another (one collection): each run is a process start.
/// </summary>
public abstract class CommandLineTest : IDisposable
{
    public const string Collection = "command line";

    protected readonly string dataDir = Path.Combine(Path.GetTempPath(), "custos-cli-" + Guid.NewGuid().ToString("N")[..8]);

    protected sealed record Result(int ExitCode, string Out, string Error);

    protected Task<Result> RunWithInputAsync(string? stdin, params string[] args) => RunProcessAsync(stdin, new Dictionary<string, string>(), args);

    protected async Task<Result> RunProcessAsync(string? stdin, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "custos.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(dataDir);
        start.Environment["CUSTOS_LANG"] = "en";
        start.Environment.Remove("CUSTOS_DATABASE");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteLineAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var result = new Result(process.ExitCode, await stdout, await stderr);
        return result;
    }

    protected Task<Result> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>A new installation's first approvers, appointed from the command line: the general manager zhou.gm and the compliance officer qian.hg.</summary>
    protected async Task FoundAsync()
    {
        Assert.Equal(0, (await RunAsync("user", "add", "zhou.gm", "--name", "周总")).ExitCode);
        Assert.Equal(0, (await RunAsync("user", "appoint", "zhou.gm", "--role", "general-manager")).ExitCode);
        Assert.Equal(0, (await RunAsync("user", "add", "qian.hg", "--name", "钱合规")).ExitCode);
        Assert.Equal(0, (await RunAsync("user", "appoint", "qian.hg", "--role", "compliance-officer")).ExitCode);
    }

    protected static IReadOnlyList<string> FiledRequests(Result result) =>
        [.. System.Text.RegularExpressions.Regex.Matches(result.Out, @"request\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})").Select(m => m.Groups[1].Value)];

    /// <summary>
    /// Has each request decided by <paramref name="approvers"/> in turn, as they would on /approvals: signed in to a server
    /// on the same data directory (the command line decides nothing). Returns whether each ended approved.
    /// </summary>
    protected async Task<IReadOnlyList<bool>> DecideAsync(IEnumerable<string> requests, params string[] approvers)
    {
        await using var server = new Infrastructure.CustosFactory(new Dictionary<string, string?> { ["Custos:DataDir"] = dataDir, ["Custos:NoDemo"] = "true" });
        server.StartServer();
        var outcomes = new List<bool>();
        foreach (var request in requests)
        {
            var status = Custos.Features.Access.RequestStatus.Pending;
            foreach (var approver in approvers)
            {
                Custos.Features.People.Person person;
                using (var find = server.Services.CreateScope())
                {
                    person = await find.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Custos.Features.People.Person>>().FindByNameAsync(approver)
                        ?? throw new InvalidOperationException("No such person: " + approver);
                }

                using var scope = server.ActAs(person);
                try
                {
                    status = (await scope.ServiceProvider.GetRequiredService<Custos.Features.Access.RequestService>().DecideAsync(Guid.Parse(request), true, "同意", default)).Status;
                }
                catch (Custos.Hosting.CustosException)
                {
                    // not theirs to decide (an administrator, the proposer, a step they are not named for)
                }
            }

            outcomes.Add(status == Custos.Features.Access.RequestStatus.Approved);
        }

        return outcomes;
    }

    /// <summary>Approves each request, step by step, as the first of <paramref name="approvers"/> the workflow accepts for each step.</summary>
    protected async Task ApproveAsync(IEnumerable<string> requests, params string[] approvers)
    {
        var filed = requests.ToList();
        Assert.True((await DecideAsync(filed, approvers)).All(a => a), $"requests {string.Join(", ", filed)} were not all approved by {string.Join(", ", approvers)}");
    }

    /// <summary>Adds a person with the given options and has every change of rights it files approved.</summary>
    protected async Task AddApprovedAsync(string userName, string name, string[] options, params string[] approvers)
    {
        var added = await RunAsync(["user", "add", userName, "--name", name, .. options]);
        Assert.True(added.ExitCode == 0, added.Error);
        await ApproveAsync(FiledRequests(added), approvers);
    }

    public void Dispose()
    {
        TestPaths.Delete(dataDir);
        GC.SuppressFinalize(this);
    }
}

[CollectionDefinition(CommandLineTest.Collection)]
public sealed class CommandLineCollection;

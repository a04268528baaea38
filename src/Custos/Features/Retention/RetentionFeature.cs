using System.CommandLine;
using System.Globalization;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;
using Spectre.Console;

namespace Custos.Features.Retention;

/// <summary>Retention periods, due customers and their destruction in batches (DST-3); each customer's basis, consent and purposes (SEC-3).</summary>
internal sealed class RetentionFeature : Feature
{
    public sealed record FileRequest(string? Text = null);

    public sealed record HoldRequest(bool Hold, string? Reason = null);

    public sealed record BatchRequest(string? Department = null, IReadOnlyList<Guid>? Customers = null);

    public sealed record BatchDecision(bool Approve, string? Note = null);

    public override void AddServices(IServiceCollection services, CustosSettings settings) => services.AddScoped<RetentionService>();

    public override void AddWorkers(IServiceCollection services) => services.AddHostedService<RetentionWorker>();

    public override void MapApi(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/retention").WithTags("Retention and consent").WithMetadata(new GateAttribute(Gate.RoleChecked));
        group.MapGet("/file", async (RetentionService s, CancellationToken ct) => TypedResults.Ok(await s.FileAsync(ct)))
            .WithName("GetRetentionFile").WithSummary("The retention file in force (DST-3)");
        group.MapPut("/file", async Task<Results<Ok<RetentionFileView>, ProblemHttpResult>> (FileRequest request, RetentionService s, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                try
                {
                    return TypedResults.Ok(await s.LoadAsync(request.Text ?? "", ct));
                }
                catch (Policy.PolicyInvalidException e)
                {
                    return TypedResults.Problem(
                        title: text["Error.RetentionFileInvalid", e.Errors.Count], statusCode: StatusCodes.Status400BadRequest,
                        extensions: new Dictionary<string, object?> { ["code"] = "RetentionFileInvalid", ["field"] = "text", ["errors"] = e.Errors });
                }
            })
            .WithName("LoadRetentionFile").WithSummary("Load a new version of the retention file (compliance officers); every mistake with its line").ProducesProblem(400).ProducesProblem(403);
        group.MapGet("/departments", async (RetentionService s, CancellationToken ct) => TypedResults.Ok(await s.VisibleCountsAsync(ct)))
            .WithName("RetentionCounts").WithSummary("Due, held and overdue customers per department");
        group.MapGet("/departments/{code}/due", async (string code, int? limit, RetentionService s, CancellationToken ct) => TypedResults.Ok(await s.DueAsync(code, limit ?? 200, ct)))
            .WithName("DueCustomers").WithSummary("A department's customers whose retention ran out (its head and information officers, compliance)").ProducesProblem(404);
        group.MapGet("/departments/{code}/batches", async (string code, RetentionService s, CancellationToken ct) => TypedResults.Ok(await s.BatchesAsync(code, ct)))
            .WithName("RetentionBatches").WithSummary("A department's destruction batches").ProducesProblem(404);
        group.MapPost("/batches", async (BatchRequest request, RetentionService s, CancellationToken ct) =>
            {
                var batch = await s.FileBatchAsync(request.Department ?? "", request.Customers, ct);
                return TypedResults.Created($"/api/v1/retention/batches/{batch.Id}", batch);
            })
            .WithName("FileRetentionBatch").WithSummary("File due customers for destruction: one request each, approved by the head and the compliance officer").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/batches/{id:guid}", async (Guid id, RetentionService s, CancellationToken ct) => TypedResults.Ok(await s.BatchAsync(id, ct)))
            .WithName("GetRetentionBatch").WithSummary("One batch").ProducesProblem(404);
        group.MapPost("/batches/{id:guid}/decision", async (Guid id, BatchDecision request, RetentionService s, CancellationToken ct) => TypedResults.Ok(await s.DecideBatchAsync(id, request.Approve, request.Note, ct)))
            .WithName("DecideRetentionBatch").WithSummary("Approve or reject the batch's requests waiting for the caller").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/batches/{id:guid}/execute", async (Guid id, RetentionService s, CancellationToken ct) => TypedResults.Ok(await s.ExecuteBatchAsync(id, ct)))
            .WithName("ExecuteRetentionBatch").WithSummary("The operator destroys the approved customers of the batch (crypto-shred, witnessed, registered)").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        var customers = api.MapGroup("/customers/{id:guid}").WithTags("Retention and consent").WithMetadata(new GateAttribute(Gate.RoleChecked));
        customers.MapGet("/lifecycle", async (Guid id, RetentionService s, CancellationToken ct) => TypedResults.Ok(await s.LifecycleAsync(id, ct)))
            .WithName("GetCustomerLifecycle").WithSummary("The customer's data kind, retention dates, legal hold, basis, consent and purposes").ProducesProblem(404);
        customers.MapPut("/lifecycle", async (Guid id, LifecycleChange change, RetentionService s, CancellationToken ct) => TypedResults.Ok(await s.SetLifecycleAsync(id, change, ct)))
            .WithName("SetCustomerLifecycle").WithSummary("Record the customer's data kind and the dates retention counts from").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        customers.MapPost("/consent", async (Guid id, ConsentChange change, RetentionService s, CancellationToken ct) => TypedResults.Ok(await s.RecordConsentAsync(id, change, ct)))
            .WithName("RecordConsent").WithSummary("Record consent given or withdrawn, with channel, notice version, basis and purposes (SEC-3)").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        customers.MapPost("/hold", async (Guid id, HoldRequest request, RetentionService s, CancellationToken ct) => TypedResults.Ok(await s.HoldAsync(id, request.Hold, request.Reason, ct)))
            .WithName("LegalHold").WithSummary("Place or lift a legal hold (compliance officers)").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
    }

    /// <summary><c>custos retention due|run|load</c>.</summary>
    public override IEnumerable<Command> Commands()
    {
        var department = new Option<string>("--department") { Description = "The department's code", Required = true };
        var due = new Command("due", "A department's customers whose retention ran out") { department };
        due.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Retention.Customer"]).AddColumn(text["Retention.Kind"]).AddColumn(text["Retention.Reason"]).AddColumn(text["Retention.Since"]);
            foreach (var d in await services.GetRequiredService<RetentionService>().DueAsync(parse.GetValue(department)!, 1000, token))
            {
                table.AddRow(d.CustomerId.ToString(), Markup.Escape(text["DataKind." + d.Kind]), Markup.Escape(text["DueReason." + d.Reason]), d.Since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false, allowedRoles: [Roles.ComplianceOfficer, Roles.DepartmentHead, Roles.InformationOfficer]));

        var run = new Command("run", "Compute who is due now, remind the heads and escalate what waited too long (the daily job)");
        run.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var count = await services.GetRequiredService<RetentionService>().RunDailyAsync(token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Retention.RunDone", count]));
        }, ct, requireAdministrator: false, allowedRoles: [Roles.ComplianceOfficer]));

        var file = new Argument<FileInfo>("file") { Description = "The retention file (YAML)" };
        var load = new Command("load", "Load a new version of the retention file; every mistake with its line") { file };
        load.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw CustosException.NotFound("FileNotFound", path.FullName);
            }

            try
            {
                var loaded = await services.GetRequiredService<RetentionService>().LoadAsync(await File.ReadAllTextAsync(path.FullName, token), token);
                AnsiConsole.MarkupLine(Markup.Escape(text["Retention.Loaded", loaded.Version, loaded.Sha256[..12]]));
            }
            catch (Policy.PolicyInvalidException e)
            {
                foreach (var error in e.Errors)
                {
                    Cli.Error(text["Retention.FileError", error.Line, error.Column, text["RetentionError." + error.Code, error.Detail]]);
                }

                throw new Cli.CommandFailedException();
            }
        }, ct, requireAdministrator: false, allowedRoles: [Roles.ComplianceOfficer]));

        return [new Command("retention", "Retention periods and due customers (DST-3)") { due, run, load }];
    }

    public override IEnumerable<NavigationItem> Navigation() => [new("/retention", "Nav.Retention", [Roles.ComplianceOfficer, Roles.DepartmentHead, Roles.InformationOfficer])];
}

/// <summary>Every day (the first round ten minutes after start): who is due, reminders and escalations (DST-3).</summary>
internal sealed class RetentionWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<RetentionWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    private int rounds;

    protected override TimeSpan Interval => rounds++ == 0 ? TimeSpan.FromMinutes(10) : TimeSpan.FromHours(24);

    protected override string ActorName => "custos-retention";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<RetentionService>().RunDailyAsync(ct);
}

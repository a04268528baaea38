using Custos.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace Custos.Features.Whistleblowing;

/// <summary>Anonymous reports over REST (INC-4): the reporter's calls without an account, the handlers' with one.</summary>
internal static class WhistleApi
{
    public sealed record FollowRequest(string? Receipt = null, string? Secret = null, string? Challenge = null, string? Nonce = null);

    public sealed record ReplyRequest(string? Receipt = null, string? Secret = null, string? Text = null, string? Challenge = null, string? Nonce = null);

    public sealed record HandlerReply(string? Text = null);

    public sealed record IncidentRequest(string? Title = null);

    public static void Map(RouteGroupBuilder api)
    {
        // Nobody is known on these paths (AnonymousPaths strips cookies and tokens before authentication).
        var anonymous = api.MapGroup("/whistle").WithTags("Anonymous reports").AllowAnonymous().DisableAntiforgery();

        anonymous.MapPost("/challenge", async (WhistleService service, CancellationToken ct) => TypedResults.Ok(await service.ChallengeAsync(ct)))
            .WithName("WhistleChallenge").WithSummary("A proof-of-work puzzle: find a nonce so that SHA-256(challenge + ':' + nonce) starts with `bits` zero bits").ProducesProblem(429);

        anonymous.MapPost("/reports", async (
                [FromForm] WhistleKind kind, [FromForm] string? summary, [FromForm] string? body, [FromForm] string? subject, [FromForm] string? identity,
                [FromForm] string? challenge, [FromForm] string? nonce, IFormFileCollection? files, WhistleService service, CancellationToken ct) =>
            {
                var read = await WhistleFile.ReadAsync(files, ct);
                return TypedResults.Ok(await service.SubmitAsync(new NewWhistle(kind, summary, body, subject, identity, read, challenge, nonce), ct));
            })
            .WithMetadata(new RequestSizeLimitAttribute((3 * Web.Documents.Scans.MaxBytes) + (1024 * 1024)))
            .WithName("SubmitWhistle").WithSummary("Send an anonymous report (multipart form); the receipt code and secret are shown once")
            .ProducesProblem(400).ProducesProblem(429);

        anonymous.MapPost("/follow", async (FollowRequest request, WhistleService service, CancellationToken ct) =>
                TypedResults.Ok(await service.FollowAsync(request.Receipt, request.Secret, request.Challenge, request.Nonce, ct)))
            .WithName("FollowWhistle").WithSummary("Read one's report and the handlers' questions with the receipt code and secret (never in the URL)")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(429);

        anonymous.MapPost("/follow/reply", async (ReplyRequest request, WhistleService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ReplyAsReporterAsync(request.Receipt, request.Secret, request.Text, request.Challenge, request.Nonce, ct)))
            .WithName("AnswerWhistle").WithSummary("Answer the handlers, anonymously").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(429);

        var handlers = api.MapGroup("/reports").WithTags("Anonymous reports").WithMetadata(new GateAttribute(Gate.RoleChecked));

        handlers.MapGet("/", async (bool? closed, WhistleService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(closed ?? false, ct)))
            .WithName("ListWhistles").WithSummary("Anonymous reports, for the committee's designated handlers (never those naming the handler)").ProducesProblem(403);

        handlers.MapGet("/{id:guid}", async (Guid id, WhistleService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(id, ct)))
            .WithName("GetWhistle").WithSummary("One report with its thread").ProducesProblem(403).ProducesProblem(404);

        handlers.MapGet("/{id:guid}/identity", async (Guid id, WhistleService service, CancellationToken ct) => TypedResults.Text(await service.IdentityAsync(id, ct)))
            .WithName("WhistleIdentity").WithSummary("The identity the reporter chose to give; each reading recorded").ProducesProblem(403).ProducesProblem(404);

        handlers.MapGet("/{id:guid}/attachments/{attachment:guid}", async (Guid id, Guid attachment, WhistleService service, CancellationToken ct) =>
            {
                var (content, type, name) = await service.AttachmentAsync(id, attachment, ct);
                return TypedResults.File(content, type, name);
            })
            .WithName("WhistleAttachment").WithSummary("An attachment; recorded").ProducesProblem(403).ProducesProblem(404);

        handlers.MapPost("/{id:guid}/messages", async (Guid id, HandlerReply request, WhistleService service, CancellationToken ct) => TypedResults.Ok(await service.ReplyAsync(id, request.Text, ct)))
            .WithName("ReplyWhistle").WithSummary("Ask or answer the reporter").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        handlers.MapPost("/{id:guid}/incident", async (Guid id, IncidentRequest request, WhistleService service, CancellationToken ct) => TypedResults.Ok(await service.OpenIncidentAsync(id, request.Title, ct)))
            .WithName("WhistleIncident").WithSummary("Open a leak incident from the report").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        handlers.MapPost("/{id:guid}/close", async (Guid id, WhistleService service, CancellationToken ct) => TypedResults.Ok(await service.CloseAsync(id, ct)))
            .WithName("CloseWhistle").WithSummary("Close the report").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
    }
}

using Custos.Hosting;
using Custos.Features.Notifications;
using Custos.Kernel.Policy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Custos.Features.Access;

/// <summary>Requests, approvals, grants, delegations and the inbox over REST. Every endpoint decides through the policy.</summary>
internal static class AccessApi
{
    public sealed record SubmitRequest(
        string Kind, string Reason, Guid? Customer = null, string? Department = null, string? Field = null, List<string>? Actions = null,
        bool ViewOnly = false, int? Hours = null, string? Operator = null, string? Person = null, string? Role = null, Guid? Partner = null);

    public sealed record DecideRequest(string? Note = null);

    public sealed record RevokeRequest(string? Reason = null);

    public sealed record DelegateRequest(string To, DateTimeOffset Ends);

    public static void Map(RouteGroupBuilder api)
    {
        var requests = api.MapGroup("/requests").WithTags("Requests").WithMetadata(new GateAttribute(Gate.PolicyEngine));

        requests.MapPost("/", async Task<Created<RequestView>> (SubmitRequest body, RequestService service, CancellationToken ct) =>
            {
                if (!PolicyFile.TryParseKind(body.Kind, out var kind))
                {
                    throw Hosting.CustosException.Invalid("UnknownRequestKind");
                }

                var view = await service.SubmitAsync(new NewRequest(kind, body.Reason, body.Customer, body.Department, body.Field, body.Actions, body.ViewOnly, body.Hours ?? 24, body.Operator, body.Person, body.Role, body.Partner), ct);
                return TypedResults.Created($"/api/v1/requests/{view.Id}", view);
            })
            .WithName("SubmitRequest").WithSummary("Ask for access, a reveal above clearance, an import, export, print, external share, destruction or role change")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        requests.MapGet("/mine", async (RequestService service, CancellationToken ct) => TypedResults.Ok(await service.MineAsync(ct)))
            .WithName("MyRequests").WithSummary("The caller's requests, newest first");

        requests.MapGet("/to-approve", async (RequestService service, CancellationToken ct) => TypedResults.Ok(await service.ToApproveAsync(ct)))
            .WithName("RequestsToApprove").WithSummary("Pending requests the caller may approve now, in person or as a delegate");

        requests.MapGet("/{id:guid}", async (Guid id, RequestService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(id, ct)))
            .WithName("GetRequest").WithSummary("One request with its approvals").ProducesProblem(404);

        requests.MapPost("/{id:guid}/approve", async (Guid id, DecideRequest body, RequestService service, CancellationToken ct) => TypedResults.Ok(await service.DecideAsync(id, true, body.Note, ct)))
            .WithName("ApproveRequest").WithSummary("Approve the current step; the last approval creates the grant").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        requests.MapPost("/{id:guid}/reject", async (Guid id, DecideRequest body, RequestService service, CancellationToken ct) => TypedResults.Ok(await service.DecideAsync(id, false, body.Note, ct)))
            .WithName("RejectRequest").WithSummary("Reject the request").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        requests.MapPost("/{id:guid}/withdraw", async (Guid id, RequestService service, CancellationToken ct) =>
            {
                await service.WithdrawAsync(id, ct);
                return TypedResults.NoContent();
            })
            .WithName("WithdrawRequest").WithSummary("Withdraw one's own pending request").ProducesProblem(404).ProducesProblem(409);

        var grants = api.MapGroup("/grants").WithTags("Grants").WithMetadata(new GateAttribute(Gate.PolicyEngine));

        grants.MapGet("/", async (bool? all, bool? ended, GrantService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(all ?? false, ended ?? false, ct)))
            .WithName("ListGrants").WithSummary("The caller's live grants; all=true for everyone's (administrators, compliance officer, auditors)").ProducesProblem(403);

        grants.MapPost("/{id:guid}/revoke", async (Guid id, RevokeRequest body, GrantService service, CancellationToken ct) =>
            {
                await service.RevokeAsync(id, body.Reason, ct);
                return TypedResults.NoContent();
            })
            .WithName("RevokeGrant").WithSummary("End a grant now; effective on the next request on every node").ProducesProblem(404).ProducesProblem(409);

        var delegations = api.MapGroup("/delegations").WithTags("Grants").WithMetadata(new GateAttribute(Gate.PolicyEngine));

        delegations.MapGet("/", async (GrantService service, CancellationToken ct) => TypedResults.Ok(await service.DelegationsAsync(ct)))
            .WithName("ListDelegations").WithSummary("Delegations from or to the caller");

        delegations.MapPost("/", async (DelegateRequest body, GrantService service, CancellationToken ct) => TypedResults.Ok(await service.DelegateAsync(body.To, body.Ends, ct)))
            .WithName("Delegate").WithSummary("Let someone approve in the caller's place until a time").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        delegations.MapPost("/{id:guid}/end", async (Guid id, GrantService service, CancellationToken ct) =>
            {
                await service.EndDelegationAsync(id, ct);
                return TypedResults.NoContent();
            })
            .WithName("EndDelegation").WithSummary("End one's own delegation").ProducesProblem(404);

        var inbox = api.MapGroup("/inbox").WithTags("Inbox").WithMetadata(new GateAttribute(Gate.OwnAccount));

        inbox.MapGet("/", async (bool? unread, Notifier notifier, CancellationToken ct) => TypedResults.Ok(await notifier.InboxAsync(unread ?? false, ct)))
            .WithName("Inbox").WithSummary("The caller's messages, newest first");

        inbox.MapPost("/read", async (Guid? id, Notifier notifier, CancellationToken ct) =>
            {
                await notifier.MarkReadAsync(id, ct);
                return TypedResults.NoContent();
            })
            .WithName("MarkRead").WithSummary("Mark one message (id) or all as read");
    }
}

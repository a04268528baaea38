using Custos.Hosting;
using Custos.Features.People;
using Microsoft.AspNetCore.Mvc;

namespace Custos.Features.Customers;

/// <summary>Protected customer records over REST: masked by default; reveal is a POST with a purpose, never cached.</summary>
internal static class CustomersApi
{
    public sealed record CreateCustomerRequest(Dictionary<string, string?> Values, CustomerKind? Kind = null, string? Department = null, string? Project = null, Clearance? Grade = null, List<string>? Tags = null);

    /// <summary>Values to change (absent fields stay as they are); <c>Tags</c>, when given, replaces the customer's tags.</summary>
    public sealed record UpdateCustomerRequest(Dictionary<string, string?>? Values = null, List<string>? Tags = null);

    public sealed record RevealRequest(string Field, string Purpose, string? Note = null);

    public sealed record Revealed(string Field, string Value);

    public sealed record OpenAttachmentRequest(string Purpose, string? Note = null);

    public sealed record ReviewRequest(ReviewOutcome? Outcome = null);

    public sealed record SearchRequest(string Query, string? Cursor = null, int? PageSize = null, string? Department = null, string? Project = null, Clearance? Grade = null, string? Tag = null);

    public static void Map(RouteGroupBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers").WithMetadata(new GateAttribute(Gate.PolicyEngine));

        customers.MapGet("/", async (
                    [FromQuery] string? cursor, [FromQuery] int? pageSize, [FromQuery] string? department, [FromQuery] string? project, [FromQuery] Clearance? grade,
                    [FromQuery] string? tag, CustomerService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ListAsync(null, new CustomerFilter(department, project, grade, tag), cursor, pageSize ?? 50, ct)))
            .WithName("ListCustomers")
            .WithSummary("Customers in the caller's scope, masked, newest first, a page at a time (next and previous are cursors); optionally of one department, project, secrecy grade or tag");

        // A search term is a protected value (a phone, an ID number): it travels in the body, never in a URL.
        customers.MapPost("/search", async (SearchRequest request, CustomerService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ListAsync(request.Query, new CustomerFilter(request.Department, request.Project, request.Grade, request.Tag), request.Cursor, request.PageSize ?? 50, ct)))
            .WithName("SearchCustomers")
            .WithSummary("Exact search in the caller's scope by phone, ID number, card, e-mail or name (blind index); results masked");

        customers.MapGet("/stale", async ([FromQuery] string? department, [FromQuery] string? cursor, [FromQuery] int? pageSize, AccuracyService service, CancellationToken ct) =>
                TypedResults.Ok(await service.StaleAsync(department, cursor, pageSize ?? 50, ct)))
            .WithName("ListStaleCustomers")
            .WithSummary("Customers in the caller's scope due for an accuracy review (never reviewed, or last reviewed longer ago than the interval), oldest first, masked, a page at a time (SEC-4)");

        customers.MapPost("/{id:guid}/reviews", async (Guid id, ReviewRequest request, AccuracyService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ReviewAsync(id, request.Outcome ?? throw CustosException.Invalid("InvalidEnum", "outcome"), ct)))
            .WithName("ReviewCustomer").WithSummary("Record an accuracy review of a customer: Confirmed, Corrected or Unreachable (SEC-4)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        customers.MapGet("/{id:guid}/reviews", async (Guid id, AccuracyService service, CancellationToken ct) => TypedResults.Ok(await service.ReviewsAsync(id, ct)))
            .WithName("ListCustomerReviews").WithSummary("A customer's accuracy reviews: when, by whom, what they found").ProducesProblem(404);

        customers.MapGet("/{id:guid}", async (Guid id, CustomerService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(id, ct)))
            .WithName("GetCustomer").WithSummary("One customer with every field masked and labelled").ProducesProblem(404);

        customers.MapPost("/", async (CreateCustomerRequest request, CustomerService service, CancellationToken ct) =>
            {
                var customer = await service.CreateAsync(new NewCustomer(
                    request.Kind ?? CustomerKind.Individual, request.Department, request.Project, request.Grade ?? Clearance.Secret, request.Values ?? [], request.Tags), ct);
                return TypedResults.Created($"/api/v1/customers/{customer.Id}", await service.GetAsync(customer.Id, ct));
            })
            .WithName("CreateCustomer").WithSummary("Create a customer; values are validated, encrypted and indexed").ProducesProblem(400).ProducesProblem(403);

        customers.MapPatch("/{id:guid}", async (Guid id, UpdateCustomerRequest request, CustomerService service, CancellationToken ct) =>
            {
                await service.UpdateAsync(id, request.Values ?? [], ct);
                if (request.Tags is not null)
                {
                    await service.SetTagsAsync(id, request.Tags, ct);
                }

                return TypedResults.NoContent();
            })
            .WithName("UpdateCustomer").WithSummary("Change values (null clears one); previous values are kept in the history").ProducesProblem(400).ProducesProblem(404);

        customers.MapGet("/{id:guid}/history", async (Guid id, CustomerService service, CancellationToken ct) => TypedResults.Ok(await service.HistoryAsync(id, ct)))
            .WithName("GetCustomerHistory").WithSummary("Which fields changed, when and by whom (values stay encrypted)").ProducesProblem(404);

        customers.MapGet("/{id:guid}/attachments", async (Guid id, AttachmentService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(id, ct)))
            .WithName("ListCustomerAttachments").WithSummary("Attachments of a customer (names decrypted, content not)").ProducesProblem(404);

        customers.MapPost("/{id:guid}/attachments", async (Guid id, IFormFile file, AttachmentService service, CancellationToken ct) =>
            {
                await using var content = file.OpenReadStream();
                var attachment = await service.AddAsync(id, file.FileName, content, file.Length, ct);
                return TypedResults.Created($"/api/v1/customers/{id}/attachments/{attachment}", new { id = attachment });
            })
            .DisableAntiforgery() // an API call (bearer or same-site cookie), not a page form
            .WithName("AddCustomerAttachment").WithSummary("Attach a PDF, JPEG, PNG or TIFF scan; encrypted under the customer's key")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        customers.MapPost("/{id:guid}/attachments/{attachment:guid}/open", async (Guid id, Guid attachment, OpenAttachmentRequest request, AttachmentService service, CancellationToken ct) =>
            {
                var file = await service.OpenAsync(id, attachment, request.Purpose, request.Note, ct);
                return TypedResults.File(file.Content, file.ContentType, file.FileName);
            })
            .WithName("OpenCustomerAttachment").WithSummary("Download an attachment for a stated purpose; recorded before it is decrypted")
            .ProducesProblem(400).ProducesProblem(404);

        customers.MapPost("/{id:guid}/reveal", async (Guid id, RevealRequest request, CustomerService service, CancellationToken ct) =>
                TypedResults.Ok(new Revealed(request.Field, await service.RevealAsync(id, request.Field, request.Purpose, request.Note, ct))))
            .WithName("RevealCustomerField").WithSummary("Reveal one value for a stated purpose; recorded before it is returned")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
    }
}

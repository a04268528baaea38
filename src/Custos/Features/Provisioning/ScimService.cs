using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Custos.Data;
using Custos.Features.Leaving;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Provisioning;

/// <summary>
/// SCIM 2.0 Users and Groups (RFC 7643, RFC 7644) for HR systems and identity providers (PPL-1, PPL-3). A client
/// creates people with no roles, departments or clearance beyond the least — they still sign the agreement, pass
/// the training and are given rights through approval; it updates their name, e-mail and external id; and
/// <c>active: false</c> (or DELETE) is a leaving at once: every session, token and grant ends on every node.
/// Groups are the departments, to read: who is in which is given through approval, never by a client. A client sees
/// and changes only the people it provisioned itself: never another client's, never the built-in administrator, never someone created in
/// Custos itself (an administrator's e-mail redirected, or their account pointed elsewhere, is not a client's to do).
/// Unknown attributes, paths and filters are refused whole, in the RFC's error format, and nothing is half-applied.
/// </summary>
internal sealed partial class ScimService(
    CustosDbContext db, PeopleService people, LeavingService leaving, UserManager<Person> users, IAuditTrail audit, ICurrentActor actor, PolicyStore policy, TimeProvider time)
{
    public const string UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
    public const string EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    public const string GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
    public const string ListSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    public const string PatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    /// <summary>The login provider under which a client's <c>externalId</c> is kept.</summary>
    public const string ExternalProvider = Accounts.ExternalLogins.Scim;

    public const int MaxCount = 200;

    private static readonly HashSet<string> UserAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "schemas", "id", "externalId", "userName", "name", "displayName", "emails", "active", "meta", EnterpriseSchema,
    };

    private static readonly HashSet<string> NameAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "formatted", "givenName", "familyName", "middleName", "honorificPrefix", "honorificSuffix",
    };

    private static readonly HashSet<string> EmailAttributes = new(StringComparer.OrdinalIgnoreCase) { "value", "type", "primary", "display" };

    /// <summary>What a request asks to change; null leaves a value as it is.</summary>
    private sealed record Change(string? UserName, string? DisplayName, string? Email, bool? Active, string? ExternalId, bool RemoveExternalId = false);

    public async Task<object> ListUsersAsync(string? filter, int? startIndex, int? count, string baseUrl, CancellationToken ct)
    {
        var client = ClientId();
        var provisioned = db.Set<ScimPerson>().Where(p => p.ClientId == client).Select(p => p.PersonId);
        var query = db.Users.AsNoTracking().Where(u => provisioned.Contains(u.Id));
        if (!string.IsNullOrWhiteSpace(filter))
        {
            var match = EqualsFilter().Match(filter);
            if (!match.Success)
            {
                throw ScimException.Invalid("invalidFilter", "Only 'userName eq \"…\"' and 'externalId eq \"…\"' are supported.");
            }

            var value = match.Groups["value"].Value.Replace("\\\"", "\"", StringComparison.Ordinal);
            if (match.Groups["attr"].Value.Equals("userName", StringComparison.OrdinalIgnoreCase))
            {
                var normalised = users.NormalizeName(value);
                query = query.Where(u => u.NormalizedUserName == normalised);
            }
            else
            {
                var owners = db.UserLogins.Where(l => l.LoginProvider == ExternalProvider && l.ProviderKey == value).Select(l => l.UserId);
                query = query.Where(u => owners.Contains(u.Id));
            }
        }

        var start = Math.Max(1, startIndex ?? 1);
        var take = Math.Clamp(count ?? 100, 0, MaxCount);
        var total = await query.CountAsync(ct);
        var page = await query.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).Skip(start - 1).Take(take).ToListAsync(ct);
        var resources = new List<object>();
        foreach (var person in page)
        {
            resources.Add(await UserAsync(person, baseUrl, ct));
        }

        return new Dictionary<string, object?>
        {
            ["schemas"] = new[] { ListSchema }, ["totalResults"] = total, ["startIndex"] = start, ["itemsPerPage"] = resources.Count, ["Resources"] = resources,
        };
    }

    public async Task<object> GetUserAsync(Guid id, string baseUrl, CancellationToken ct) =>
        await UserAsync(await FindAsync(id, ct), baseUrl, ct);

    public async Task<(Guid Id, object Body)> CreateUserAsync(JsonElement body, string baseUrl, CancellationToken ct)
    {
        var change = ParseResource(body, requireUserName: true);
        if (change.ExternalId is { } external && await db.UserLogins.AnyAsync(l => l.LoginProvider == ExternalProvider && l.ProviderKey == external, ct))
        {
            throw ScimException.Conflict("Another person has this externalId.");
        }

        var name = change.DisplayName ?? change.UserName!;
        // One transaction: the person, their externalId, their standing and the mark that a client provisioned them, or none of it.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        Person person;
        try
        {
            (person, _, _) = await people.CreateAsync(new NewPerson(change.UserName!, name, change.Email, [], [], [], Clearance.Secret, null, "SCIM"), ct);
            db.Set<ScimPerson>().Add(new ScimPerson { PersonId = person.Id, ClientId = ClientId(), CreatedAt = time.GetUtcNow() });
            if (change.ExternalId is { } id)
            {
                Check(await users.AddLoginAsync(person, new UserLoginInfo(ExternalProvider, id, "SCIM")));
            }

            if (change.Active == false)
            {
                // Created as not yet active: suspended until an administrator says otherwise.
                await people.DisableAsync(person.Id, ct);
            }
        }
        catch (CustosException e)
        {
            throw Translate(e);
        }

        audit.Record(AuditActions.ScimUserCreate, "person", person.Id.ToString(), detail: new { person.UserName, externalId = change.ExternalId is not null, active = change.Active != false });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (person.Id, await GetUserAsync(person.Id, baseUrl, ct));
    }

    public async Task<object> ReplaceUserAsync(Guid id, JsonElement body, string baseUrl, CancellationToken ct)
    {
        var person = await FindAsync(id, ct);
        var change = ParseResource(body, requireUserName: true);
        await ApplyAsync(person, change with { RemoveExternalId = change.ExternalId is null }, ct);
        return await GetUserAsync(id, baseUrl, ct);
    }

    public async Task<object> PatchUserAsync(Guid id, JsonElement body, string baseUrl, CancellationToken ct)
    {
        var person = await FindAsync(id, ct);
        await ApplyAsync(person, ParsePatch(body), ct);
        return await GetUserAsync(id, baseUrl, ct);
    }

    /// <summary>DELETE: the person leaves at once. Their record stays (the audit log and the registers name them).</summary>
    public async Task DeleteUserAsync(Guid id, CancellationToken ct)
    {
        var person = await FindAsync(id, ct);
        await ApplyAsync(person, new Change(null, null, null, false, null), ct);
    }

    public async Task<object> ListGroupsAsync(string? filter, int? startIndex, int? count, string baseUrl, CancellationToken ct)
    {
        var query = db.Departments.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter))
        {
            var match = GroupFilter().Match(filter);
            if (!match.Success)
            {
                throw ScimException.Invalid("invalidFilter", "Only 'displayName eq \"…\"' is supported.");
            }

            var value = match.Groups["value"].Value;
            query = query.Where(d => d.Name == value);
        }

        var start = Math.Max(1, startIndex ?? 1);
        var take = Math.Clamp(count ?? 100, 0, MaxCount);
        var total = await query.CountAsync(ct);
        var page = await query.OrderBy(d => d.Code).Skip(start - 1).Take(take).Select(d => new { d.Id, d.Code, d.Name }).ToListAsync(ct);
        var resources = new List<object>();
        foreach (var d in page)
        {
            resources.Add(await GroupAsync(d.Id, d.Code, d.Name, baseUrl, ct));
        }

        return new Dictionary<string, object?>
        {
            ["schemas"] = new[] { ListSchema }, ["totalResults"] = total, ["startIndex"] = start, ["itemsPerPage"] = resources.Count, ["Resources"] = resources,
        };
    }

    public async Task<object> GetGroupAsync(Guid id, string baseUrl, CancellationToken ct)
    {
        var d = await db.Departments.AsNoTracking().Where(x => x.Id == id).Select(x => new { x.Id, x.Code, x.Name }).SingleOrDefaultAsync(ct)
            ?? throw ScimException.NotFound("No such group.");
        return await GroupAsync(d.Id, d.Code, d.Name, baseUrl, ct);
    }

    /// <summary>Applies a change whole, in one transaction: name and e-mail, external id, and a deactivation as a leaving at once.</summary>
    private async Task ApplyAsync(Person person, Change change, CancellationToken ct)
    {
        if (change.UserName is { } userName && !string.Equals(userName, person.UserName, StringComparison.Ordinal))
        {
            throw ScimException.Invalid("mutability", "userName cannot be changed: it names the person in the audit log.");
        }

        var engine = await policy.CurrentAsync(db, ct);
        var left = person.EmploymentStatus == EmploymentStatus.Departed || engine.HasLeft(person.DepartsOn, time.GetUtcNow());
        if (change.Active == true && left)
        {
            throw ScimException.Invalid("mutability", "This person has left; a return is a new account.");
        }

        if (change.Active == true && person.EmploymentStatus == EmploymentStatus.Suspended)
        {
            throw ScimException.Invalid("mutability", "This person is suspended in Custos; an administrator lifts a suspension.");
        }

        if (change.ExternalId is { } external
            && await db.UserLogins.AnyAsync(l => l.LoginProvider == ExternalProvider && l.ProviderKey == external && l.UserId != person.Id, ct))
        {
            throw ScimException.Conflict("Another person has this externalId.");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            if (change.DisplayName is not null || change.Email is not null)
            {
                await people.UpdateContactAsync(person.Id, change.DisplayName, change.Email, ct);
            }

            var logins = (await users.GetLoginsAsync(person)).Where(l => l.LoginProvider == ExternalProvider).ToList();
            if (change.ExternalId is not null || change.RemoveExternalId)
            {
                foreach (var login in logins.Where(l => l.ProviderKey != change.ExternalId))
                {
                    Check(await users.RemoveLoginAsync(person, login.LoginProvider, login.ProviderKey));
                }

                if (change.ExternalId is { } id && logins.All(l => l.ProviderKey != id))
                {
                    Check(await users.AddLoginAsync(person, new UserLoginInfo(ExternalProvider, id, "SCIM")));
                }
            }

            if (change.Active == false && !left)
            {
                await leaving.DeprovisionAsync(person.Id, actor.Name, ct);
                audit.Record(AuditActions.ScimUserDeactivate, "person", person.Id.ToString());
            }

            audit.Record(AuditActions.ScimUserUpdate, "person", person.Id.ToString(), detail: new
            {
                displayName = change.DisplayName is not null, email = change.Email is not null, externalId = change.ExternalId is not null || change.RemoveExternalId, active = change.Active,
            });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (CustosException e)
        {
            throw Translate(e);
        }
    }

    /// <summary>A User resource (POST, PUT): every attribute known, or the request is refused naming the first that is not.</summary>
    private static Change ParseResource(JsonElement body, bool requireUserName)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ScimException.Invalid("invalidSyntax", "The body must be a JSON object.");
        }

        if (!body.TryGetProperty("schemas", out var schemas) || schemas.ValueKind != JsonValueKind.Array
            || !schemas.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.String && s.GetString() == UserSchema))
        {
            throw ScimException.Invalid("invalidSyntax", $"'schemas' must name {UserSchema}.");
        }

        // Attribute names are case-insensitive (RFC 7643 §2.1): "Active" is "active"; the same one twice is refused.
        var attributes = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in body.EnumerateObject())
        {
            if (!UserAttributes.Contains(property.Name))
            {
                throw ScimException.Invalid("invalidSyntax", $"Unknown attribute '{Clip(property.Name)}'.");
            }

            if (!attributes.TryAdd(property.Name, property.Value))
            {
                throw ScimException.Invalid("invalidSyntax", $"'{Clip(property.Name)}' is given twice.");
            }
        }

        var userName = attributes.TryGetValue("userName", out var u) ? Text(u, "userName") : null;
        if (requireUserName && string.IsNullOrWhiteSpace(userName))
        {
            throw ScimException.Invalid("invalidValue", "'userName' is required.");
        }

        var displayName = attributes.TryGetValue("displayName", out var display) && display.ValueKind != JsonValueKind.Null ? Text(display, "displayName")
            : attributes.TryGetValue("name", out var name) ? NameOf(name)
            : null;
        return new Change(
            userName,
            displayName,
            attributes.TryGetValue("emails", out var emails) ? EmailOf(emails) : null,
            attributes.TryGetValue("active", out var active) ? Bool(active, "active") : null,
            attributes.TryGetValue("externalId", out var external) ? Text(external, "externalId") : null);
    }

    /// <summary>A PatchOp: add, replace or remove on the attributes Custos keeps; any other path is refused.</summary>
    private static Change ParsePatch(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("schemas", out var schemas) || schemas.ValueKind != JsonValueKind.Array
            || !schemas.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.String && s.GetString() == PatchSchema))
        {
            throw ScimException.Invalid("invalidSyntax", $"'schemas' must name {PatchSchema}.");
        }

        if (!body.TryGetProperty("Operations", out var operations) || operations.ValueKind != JsonValueKind.Array || operations.GetArrayLength() is 0 or > 50)
        {
            throw ScimException.Invalid("invalidSyntax", "'Operations' must hold 1 to 50 operations.");
        }

        var change = new Change(null, null, null, null, null);
        foreach (var operation in operations.EnumerateArray())
        {
            var op = operation.ValueKind == JsonValueKind.Object && operation.TryGetProperty("op", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()!.ToLowerInvariant() : "";
            if (op is not ("add" or "replace" or "remove"))
            {
                throw ScimException.Invalid("invalidSyntax", "Each operation's 'op' is add, replace or remove.");
            }

            var path = operation.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : null;
            var hasValue = operation.TryGetProperty("value", out var value);
            if (path is null)
            {
                if (op == "remove" || !hasValue || value.ValueKind != JsonValueKind.Object)
                {
                    throw ScimException.Invalid("noTarget", "An operation without a path carries an object of attributes.");
                }

                foreach (var attribute in value.EnumerateObject())
                {
                    change = Merge(change, attribute.Name, attribute.Value, op);
                }

                continue;
            }

            if (op != "remove" && !hasValue)
            {
                throw ScimException.Invalid("invalidValue", $"'{Clip(path)}' needs a value.");
            }

            change = Merge(change, path, value, op);
        }

        return change;
    }

    private static Change Merge(Change change, string path, JsonElement value, string op)
    {
        var normalised = path.Trim();
        if (normalised.StartsWith(UserSchema + ":", StringComparison.OrdinalIgnoreCase))
        {
            normalised = normalised[(UserSchema.Length + 1)..];
        }

        if (normalised.Equals("active", StringComparison.OrdinalIgnoreCase) && op != "remove")
        {
            return change with { Active = Bool(value, "active") };
        }

        if ((normalised.Equals("displayName", StringComparison.OrdinalIgnoreCase) || normalised.Equals("name.formatted", StringComparison.OrdinalIgnoreCase)) && op != "remove")
        {
            return change with { DisplayName = Text(value, normalised) };
        }

        if (normalised.Equals("name", StringComparison.OrdinalIgnoreCase) && op != "remove")
        {
            return change with { DisplayName = NameOf(value) };
        }

        if (normalised.Equals("externalId", StringComparison.OrdinalIgnoreCase))
        {
            return op == "remove" ? change with { ExternalId = null, RemoveExternalId = true } : change with { ExternalId = Text(value, "externalId"), RemoveExternalId = false };
        }

        if ((normalised.Equals("emails", StringComparison.OrdinalIgnoreCase) || EmailPath().IsMatch(normalised)) && op != "remove")
        {
            return change with { Email = value.ValueKind == JsonValueKind.String ? Text(value, "emails") : EmailOf(value) };
        }

        if (normalised.Equals("userName", StringComparison.OrdinalIgnoreCase) && op != "remove")
        {
            return change with { UserName = Text(value, "userName") };
        }

        if (normalised.StartsWith(EnterpriseSchema, StringComparison.OrdinalIgnoreCase))
        {
            return change; // HR attributes (department, manager) Custos does not take from a client: rights come through approval
        }

        throw ScimException.Invalid("invalidPath", $"'{Clip(path)}' is not an attribute Custos accepts.");
    }

    private static string? NameOf(JsonElement name)
    {
        if (name.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (name.ValueKind != JsonValueKind.Object)
        {
            throw ScimException.Invalid("invalidValue", "'name' must be an object.");
        }

        foreach (var property in name.EnumerateObject())
        {
            if (!NameAttributes.Contains(property.Name))
            {
                throw ScimException.Invalid("invalidSyntax", $"Unknown attribute 'name.{Clip(property.Name)}'.");
            }
        }

        if (name.TryGetProperty("formatted", out var formatted) && formatted.ValueKind == JsonValueKind.String)
        {
            return Text(formatted, "name.formatted");
        }

        // A Chinese name is written family name first, without a space.
        var family = name.TryGetProperty("familyName", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        var given = name.TryGetProperty("givenName", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString() : null;
        var joined = (family ?? "") + (given ?? "");
        return joined.Length > 0 ? joined.Trim() : null;
    }

    private static string? EmailOf(JsonElement emails)
    {
        if (emails.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (emails.ValueKind != JsonValueKind.Array)
        {
            throw ScimException.Invalid("invalidValue", "'emails' must be an array.");
        }

        string? first = null;
        foreach (var email in emails.EnumerateArray())
        {
            if (email.ValueKind != JsonValueKind.Object)
            {
                throw ScimException.Invalid("invalidValue", "Each of 'emails' is an object.");
            }

            foreach (var property in email.EnumerateObject())
            {
                if (!EmailAttributes.Contains(property.Name))
                {
                    throw ScimException.Invalid("invalidSyntax", $"Unknown attribute 'emails.{Clip(property.Name)}'.");
                }
            }

            var value = email.TryGetProperty("value", out var v) ? Text(v, "emails.value") : null;
            if (email.TryGetProperty("primary", out var primary) && primary.ValueKind == JsonValueKind.True)
            {
                return value;
            }

            first ??= value;
        }

        return first;
    }

    private static string Text(JsonElement value, string attribute)
    {
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { } text || text.Length > 256)
        {
            throw ScimException.Invalid("invalidValue", $"'{attribute}' must be a string of at most 256 characters.");
        }

        return text.Trim();
    }

    /// <summary>A boolean; some identity providers send it as the string "True" or "False".</summary>
    private static bool Bool(JsonElement value, string attribute) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String when bool.TryParse(value.GetString(), out var b) => b,
        _ => throw ScimException.Invalid("invalidValue", $"'{attribute}' must be true or false."),
    };

    /// <summary>A person SCIM clients provisioned, tracked (so that every change below works on one instance); anyone else does not exist here.</summary>
    private async Task<Person> FindAsync(Guid id, CancellationToken ct)
    {
        var client = ClientId();
        return await db.Users.Where(u => u.Id == id && db.Set<ScimPerson>().Any(p => p.PersonId == u.Id && p.ClientId == client)).SingleOrDefaultAsync(ct)
            ?? throw ScimException.NotFound("No such user.");
    }

    private Guid ClientId() => Guid.TryParse(actor.Id.AsSpan(ScimTokenHandler.ActorPrefix.Length), out var id) ? id : Guid.Empty;

    private async Task<Dictionary<string, object?>> UserAsync(Person person, string baseUrl, CancellationToken ct)
    {
        var external = await db.UserLogins.AsNoTracking().Where(l => l.UserId == person.Id && l.LoginProvider == ExternalProvider).Select(l => l.ProviderKey).FirstOrDefaultAsync(ct);
        var engine = await policy.CurrentAsync(db, ct);
        var active = person.EmploymentStatus == EmploymentStatus.Active && !engine.HasLeft(person.DepartsOn, time.GetUtcNow());
        var user = new Dictionary<string, object?>
        {
            ["schemas"] = new[] { UserSchema },
            ["id"] = person.Id.ToString(),
            ["userName"] = person.UserName,
            ["displayName"] = person.DisplayName,
            ["name"] = new Dictionary<string, object?> { ["formatted"] = person.DisplayName },
            ["active"] = active,
            ["meta"] = new Dictionary<string, object?>
            {
                ["resourceType"] = "User",
                ["created"] = person.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
                ["location"] = $"{baseUrl}/scim/v2/Users/{person.Id}",
            },
        };
        if (external is not null)
        {
            user["externalId"] = external;
        }

        if (person.Email is { } email)
        {
            user["emails"] = new[] { new Dictionary<string, object?> { ["value"] = email, ["type"] = "work", ["primary"] = true } };
        }

        return user;
    }

    private async Task<Dictionary<string, object?>> GroupAsync(Guid id, string code, string name, string baseUrl, CancellationToken ct)
    {
        var client = ClientId();
        var provisioned = db.Set<ScimPerson>().Where(p => p.ClientId == client).Select(p => p.PersonId);
        var members = await (from m in db.DepartmentMemberships join u in db.Users on m.PersonId equals u.Id where m.DepartmentId == id && provisioned.Contains(u.Id) orderby u.UserName select new { u.Id, u.DisplayName })
            .Take(1000).ToListAsync(ct);
        return new Dictionary<string, object?>
        {
            ["schemas"] = new[] { GroupSchema },
            ["id"] = id.ToString(),
            ["externalId"] = code,
            ["displayName"] = name,
            ["members"] = members.Select(m => new Dictionary<string, object?> { ["value"] = m.Id.ToString(), ["display"] = m.DisplayName, ["$ref"] = $"{baseUrl}/scim/v2/Users/{m.Id}" }),
            ["meta"] = new Dictionary<string, object?> { ["resourceType"] = "Group", ["location"] = $"{baseUrl}/scim/v2/Groups/{id}" },
        };
    }

    private static ScimException Translate(CustosException e) => e.Kind switch
    {
        CustosError.Conflict => ScimException.Conflict(e.Code == "DuplicateUserName" ? "userName is taken." : e.Code),
        CustosError.NotFound => ScimException.NotFound(e.Code),
        _ => ScimException.Invalid("invalidValue", e.Code),
    };

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw result.Errors.First().Code == "LoginAlreadyAssociated" ? ScimException.Conflict("Another person has this externalId.") : ScimException.Invalid("invalidValue", result.Errors.First().Code);
        }
    }

    private static string Clip(string text) => text.Length <= 60 ? text : text[..60];

    [GeneratedRegex("""^\s*(?<attr>userName|externalId)\s+eq\s+"(?<value>(?:[^"\\]|\\.){1,256})"\s*$""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 200)]
    private static partial Regex EqualsFilter();

    [GeneratedRegex("""^\s*displayName\s+eq\s+"(?<value>[^"]{1,200})"\s*$""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 200)]
    private static partial Regex GroupFilter();

    [GeneratedRegex("""^emails(\[[^\]]{0,80}\])?(\.value)?$""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 200)]
    private static partial Regex EmailPath();
}

using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features;

/// <summary>
/// A feature's one entry point: what it adds to every process (services, its settings section), to the server
/// (background workers, API endpoints, plain web endpoints) and to the command line. A feature lives in its own
/// folder under <c>Features/</c>; the only line it writes elsewhere is its entry in <see cref="FeatureList"/>.
/// Its pages are found by routing, its entity mappings (<c>IEntityTypeConfiguration</c>) by the database context.
/// </summary>
public abstract class Feature
{
    /// <summary>Services every entry point needs (server, command line, benchmarks). A feature's own settings: <see cref="CustosSettings.SectionOf{T}"/>.</summary>
    public virtual void AddServices(IServiceCollection services, CustosSettings settings)
    {
    }

    /// <summary>Background work that runs in the server only.</summary>
    public virtual void AddWorkers(IServiceCollection services)
    {
    }

    /// <summary>
    /// Middleware that runs for every request once the caller is known (after authentication, the two-factor gate and
    /// the token's reach, before authorization): gates that keep a person on one page until they have done something first.
    /// </summary>
    public virtual void UseGates(IApplicationBuilder app)
    {
    }

    /// <summary>Endpoints under <c>/api/v1</c>: authenticated, with problem details for refusals and bad input.</summary>
    public virtual void MapApi(RouteGroupBuilder api)
    {
    }

    /// <summary>Plain web endpoints outside the Razor pages (downloads, form posts that answer with a file).</summary>
    public virtual void MapWeb(IEndpointRouteBuilder endpoints)
    {
    }

    /// <summary>Entries of the main menu this feature adds (after the built-in ones), each for the roles named or, naming none, for everyone signed in.</summary>
    public virtual IEnumerable<NavigationItem> Navigation() => [];

    /// <summary>Commands under <c>custos</c>.</summary>
    public virtual IEnumerable<Command> Commands() => [];
}

/// <summary>An entry of the main menu: where it goes, the text key of its label, and whom it is shown to (none named: everyone signed in).</summary>
public sealed record NavigationItem(string Href, string TextKey, IReadOnlyList<string> Roles);

using Microsoft.AspNetCore.HttpOverrides;
using System.Globalization;
using System.Security.Claims;
using Custos.Data;
using Custos.Features.Accounts;
using Custos.Features.ApiTokens;
using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Security;
using Custos.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Prometheus;
using Serilog;

namespace Custos.Hosting;

/// <summary>
/// The web server of <c>custos serve</c>: UI, REST API, health and metrics. Built on the generic host so
/// the same composition runs in production and under <c>WebApplicationFactory</c> in the tests.
/// </summary>
public static class CustosWebHost
{
    public const string SessionCookie = ".Custos.Session";
    public const string CultureCookie = ".Custos.Culture";
    private const string DefaultScheme = "Custos";

    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    /// <summary>A host for the web server; <paramref name="overrides"/> are configuration keys from the command line.</summary>
    public static IHostBuilder CreateBuilder(IDictionary<string, string?> overrides) =>
        Host.CreateDefaultBuilder()
            .UseContentRoot(AppContext.BaseDirectory)
            .ConfigureAppConfiguration(c => CustosConfiguration.Add(c, overrides))
            .UseSerilog((context, services, logger) => CustosLogging.Configure(logger, context.Configuration, services), preserveStaticLogger: true)
            .ConfigureWebHostDefaults(web =>
            {
                web.UseStaticWebAssets();
                web.ConfigureKestrel((context, kestrel) =>
                {
                    var security = CustosSettings.From(context.Configuration).Security;
                    if (!string.IsNullOrEmpty(security.CertificatePath))
                    {
                        kestrel.ConfigureHttpsDefaults(https =>
                            https.ServerCertificate = CertificateLoader.Load(security.CertificatePath, security.CertificatePassword));
                    }
                });
                web.ConfigureServices((context, services) => AddServices(services, CustosSettings.From(context.Configuration)));
                web.Configure((context, app) => UsePipeline(app, CustosSettings.From(context.Configuration)));
            });

    private static void AddServices(IServiceCollection services, CustosSettings settings)
    {
        // First hosted service: the database must be ready before anything (e.g. the key ring) reads it.
        services.AddSingleton<StartupReport>();
        services.AddHostedService<StartupInitialisation>();
        foreach (var feature in Features.FeatureList.All)
        {
            feature.AddWorkers(services);
        }

        services.AddCustosCore(settings);
        services.AddHttpContextAccessor();
        services.AddScoped<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, AuditReaderHandler>();
        services.AddScoped<BackgroundActor>();
        services.AddScoped<ICurrentActor, HttpActor>();

        services.AddIdentityCore<Person>()
            .AddSignInManager<CustosSignInManager>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = DefaultScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddPolicyScheme(DefaultScheme, DefaultScheme, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiTokenAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(o => SessionPolicy.Configure(o, settings.Security));
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, o =>
        {
            o.Cookie.Name = ".Custos.TwoFactor";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, Features.Audit.AuditedAuthorization>();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Administer, p => p.RequireRole(Roles.ItAdministrator))
            .AddPolicy(Policies.Metrics, p => p.RequireRole(Roles.ItAdministrator, Roles.MetricsReader))
            .AddPolicy(Policies.Audit, p => p.RequireAuthenticatedUser().AddRequirements(new AuditReaderRequirement()));

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = ".Custos.Antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });

        // Pages carry their Chinese as UTF-8 text, not as numeric character references (three times heavier, unreadable in view-source).
        // Markup-significant characters (< > & " ') are still escaped.
        services.AddSingleton(System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All));
        services.AddRazorComponents();
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o =>
        {
            o.MultipartBodyLengthLimit = (settings.MaxUploadMegabytes + 1) * 1024L * 1024L;
            // An uploaded file stays in memory while the form is read: never buffered to the system's temporary folder in clear.
            o.MemoryBufferThreshold = (int)Math.Min(int.MaxValue, (Math.Max(settings.MaxUploadMegabytes, settings.MaxAttachmentMegabytes) + 2) * 1024L * 1024L);
        });
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = (settings.MaxUploadMegabytes + 2) * 1024L * 1024L);
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o =>
        {
            // Bodies as declared: enums by name only (99 is no grade), no null where a value is required, no required value missing.
            // A body that breaks this is a 400 naming the field, never a 500 or a stored nonsense value.
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
            o.SerializerOptions.RespectNullableAnnotations = true;
            o.SerializerOptions.RespectRequiredConstructorParameters = true;
        });
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<ApiProblems>();
        services.AddOpenApi("v1", ApiDocument.Configure);
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(Cultures[0]);
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            o.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider(),
                new CookieRequestCultureProvider { CookieName = CultureCookie },
            ];
        });
    }

    private static void UsePipeline(IApplicationBuilder app, CustosSettings settings)
    {
        if (settings.Security.TrustedProxies.Count > 0)
        {
            // The client's own address, for the audit log and the network allow-lists, from proxies named in the settings only.
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in settings.Security.TrustedProxies)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(proxy.Contains('/', StringComparison.Ordinal) ? proxy : proxy + (proxy.Contains(':', StringComparison.Ordinal) ? "/128" : "/32"), out var network)
                    ? network
                    : throw new Features.Classification.SettingsException($"Custos:Security:TrustedProxies: '{proxy}' is not an address or range."));
            }

            app.UseForwardedHeaders(forwarded);
        }

        app.UseMiddleware<SecurityHeaders>();
        app.UseRequestLocalization();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = "/error",
            CreateScopeForErrors = true,
            StatusCodeSelector = ApiProblems.StatusFor,
        });
        app.UseWhen(ApiProblems.IsApi, api => api.UseStatusCodePages());
        app.UseWhen(c => !ApiProblems.IsApi(c), ui => ui.UseStatusCodePagesWithReExecute("/error/{0}", createScopeForStatusCodePages: true));
        if (!string.IsNullOrEmpty(settings.Security.CertificatePath))
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.UseRouting();
        app.UseMiddleware<AnonymousPaths>();
        app.UseAuthentication();
        app.Use((context, next) =>
        {
            if (context.Items[SessionPolicy.DatabaseDownMarker] is Exception e && !context.Request.Path.StartsWithSegments("/error", StringComparison.Ordinal))
            {
                throw new DatabaseUnavailableException("The session store is unreachable.", e);
            }

            return next(context);
        });
        app.UseMiddleware<MfaGate>();
        app.UseMiddleware<TokenReach>();
        foreach (var feature in Features.FeatureList.All)
        {
            feature.UseGates(app);
        }

        app.UseMiddleware<SameOriginWrites>();
        app.UseAuthorization();
        app.UseMiddleware<Features.Audit.AuditEveryCall>();
        var largestBody = (settings.MaxUploadMegabytes + 2) * 1024L * 1024L;
        app.Use(async (context, next) =>
        {
            // A body over the limit is said to be too large, before anything reads it (not an expired form, not a crash).
            if (context.Request.ContentLength > largestBody)
            {
                if (!ApiProblems.IsApi(context))
                {
                    context.Response.Redirect("/error/413");
                    return;
                }

                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
                    {
                        Status = StatusCodes.Status413PayloadTooLarge,
                        Title = context.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<Web.Strings>>()["Error.TooLarge"],
                        Extensions = { ["code"] = "TooLarge" },
                    },
                });
                return;
            }

            await next(context);
        });
        app.UseAntiforgery();
        app.Use((context, next) =>
        {
            // A page form posted with a missing or forged anti-forgery token: explain it on the error page.
            if (!ApiProblems.IsApi(context) && context.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is { IsValid: false })
            {
                context.Response.Redirect("/error/400");
                return Task.CompletedTask;
            }

            // A page form posted without saying which form it is (no _handler): the error page, not an empty 400.
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType
                && context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null
                && !context.Request.Form.ContainsKey("_handler"))
            {
                context.Response.Redirect("/error/400");
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.UseHttpMetrics();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapStaticAssets().AllowAnonymous();
            endpoints.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
            endpoints.MapHealthChecks("/healthz", new() { ResponseWriter = DatabaseHealthCheck.WriteAsync }).AllowAnonymous();
            endpoints.MapMetrics("/metrics").RequireAuthorization(Policies.Metrics);
            endpoints.MapWebEndpoints();
            Api.Map(endpoints);
            endpoints.MapRazorComponents<App>();
        });
    }
}

public static class Policies
{
    public const string Administer = "administer";
    public const string Metrics = "metrics";

    /// <summary>Reading the audit log (AUD-2): whom the policy allows <c>audit</c> (<see cref="AuditRights"/>).</summary>
    public const string Audit = "audit";
}

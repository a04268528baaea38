using Custos.Data;
using Custos.Features.Accounts;
using Custos.Features.People;
using Custos.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;

namespace Custos.Hosting;

/// <summary>Services every entry point needs: storage, accounts, the security seam, and each feature's own (<see cref="Features.Feature.AddServices"/>).</summary>
public static class CoreServices
{
    public static IServiceCollection AddCustosCore(this IServiceCollection services, CustosSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddLocalization();
        services.AddSingleton<Microsoft.Extensions.Localization.IStringLocalizer<Web.Strings>, Web.FeatureStrings>();
        services.AddCustosDatabase(settings);

        services.AddIdentityCore<Person>(o => ConfigureIdentity(o, settings.Security))
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<CustosDbContext>()
            .AddUserStore<Features.Accounts.CustosUserStore>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<Features.Accounts.OnceOnlyAuthenticator>(TokenOptions.DefaultAuthenticatorProvider)
            .AddPasswordValidator<CommonPasswordValidator>()
            .AddClaimsPrincipalFactory<CustosClaimsFactory>();

        // Keys of cookies and one-time tokens live in the database, so every node shares them, sealed under the key-encryption key.
        services.AddDataProtection()
            .SetApplicationName("Custos")
            .PersistKeysToDbContext<CustosDbContext>();
        services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(provider =>
            new Microsoft.Extensions.Options.ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(
                o => o.XmlEncryptor = new Features.Keys.SealedXmlEncryptor(provider.GetRequiredService<Features.Keys.KeyRing>())));

        services.AddSingleton<PolicyStore>();
        services.AddSingleton<SubjectCache>();
        services.AddScoped<Callers>();
        services.AddScoped<DatabaseInitialiser>();
        foreach (var feature in Features.FeatureList.All)
        {
            feature.AddServices(services, settings);
        }

        services.AddHttpClient();
        return services;
    }

    private static void ConfigureIdentity(IdentityOptions o, SecuritySettings security)
    {
        o.Password.RequiredLength = security.MinimumPasswordLength;
        o.Password.RequiredUniqueChars = 5;
        o.Password.RequireDigit = true;
        o.Password.RequireLowercase = true;
        o.Password.RequireUppercase = true;
        o.Password.RequireNonAlphanumeric = false;
        o.Lockout.AllowedForNewUsers = true;
        o.Lockout.MaxFailedAccessAttempts = security.MaxFailedAccessAttempts;
        o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(security.LockoutMinutes);
        o.User.RequireUniqueEmail = false;
        o.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@";
        o.SignIn.RequireConfirmedAccount = false;
    }
}

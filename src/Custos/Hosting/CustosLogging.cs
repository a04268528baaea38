using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Custos.Hosting;

/// <summary>Structured logging: text for people, JSON lines for collectors; secrets redacted in both.</summary>
public static class CustosLogging
{
    public static void Configure(LoggerConfiguration logger, IConfiguration configuration, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var settings = CustosSettings.From(configuration);
        logger.MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            .ReadFrom.Configuration(configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .Enrich.With<LogRedaction>();
        if (settings.JsonLogs)
        {
            logger.WriteTo.Console(new RenderedCompactJsonFormatter(), standardErrorFromLevel: LogEventLevel.Verbose);
        }
        else
        {
            logger.WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

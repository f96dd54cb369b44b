using Cream.Api;
using Cream.Api.Accounts;
using Cream.Api.Admin;
using Cream.Api.Audit;
using Cream.Api.Auth;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Retention;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Email;
using Cream.Api.Monitoring;
using Cream.Api.StockData;
using Cream.Api.Users;
using Microsoft.Extensions.Options;

if (Commands.IsHelp(args))
{
    Console.WriteLine(Commands.Usage);
    return 0;
}

Commands? command;
try
{
    command = Commands.Parse(args);
}
catch (CommandException exception)
{
    await Console.Error.WriteLineAsync(exception.Message);
    await Console.Error.WriteLineAsync(Commands.Usage);
    return 2;
}

try
{
    // Command arguments are not configuration; only a plain serve passes args on.
    var hostArgs = command is null ? args : [];
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = hostArgs,
        ContentRootPath = AppPaths.ContentRoot(hostArgs),
    });
    if (command is not null)
    {
        // A command reports its outcome in one line of its own; EF's probes (such as the one that
        // finds a database missing before creating it) would print "fail:" lines for nothing.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None);
    }

    builder.AddErrorHandling();
    builder.AddRequestLimits();
    builder.AddHttpHardening();
    builder.AddJson();
    builder.AddData();
    builder.AddAuth();
    builder.AddEmail();
    builder.AddAccounts();
    builder.AddAdmin();
    builder.AddAudit();
    builder.AddRetention();
    builder.AddBruteForceProtection();
    builder.AddMonitoring();
    builder.AddApiDocumentation();

    var app = builder.Build();

    if (command is not null)
    {
        Console.WriteLine(await command.RunAsync(app.Services, CancellationToken.None));
        return 0;
    }

    // Check every option before anything starts, so a bad one is a single line, not a host crash log.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    ListenAddresses.Check(app.Configuration);
    app.UseCurrentRequest();
    app.UseErrorHandling();
    app.UseHttpHardening();
    app.UseRequestLimits();
    app.UseAuth();

    await app.PrepareDatabaseAsync();
    app.MapHealth();
    app.MapApiDocumentation();
    app.MapAuth();
    app.MapAccounts();
    app.MapAdminUsers();
    app.MapAudit();
    app.MapStockData();
    app.MapMonitoring();
    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (exception is CommandException || Settings.DescribeFailure(exception) is not null)
{
    // A misconfigured service stops with one line that names what to fix.
    await Console.Error.WriteLineAsync(Settings.DescribeFailure(exception) ?? exception.Message);
    return 1;
}
catch (Exception exception) when (DbErrors.IsUnavailable(exception) || DbErrors.IsConnectionRefused(exception))
{
    // Start-up (or a command) needs the database; say so in one line (Npgsql's messages carry no password).
    var what = DbErrors.IsConnectionRefused(exception) ? "refused the connection" : "is unavailable";
    await Console.Error.WriteLineAsync($"{command?.Name ?? "Cream.Api"}: the database {what} ({exception.GetBaseException().Message}).");
    return 1;
}

/// <summary>The entry point, visible to the HTTP tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;

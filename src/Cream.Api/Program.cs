using Cream.Api;
using Cream.Api.Audit;
using Cream.Api.Auth;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Monitoring;
using Cream.Api.StockData;
using Cream.Api.Users;
using Microsoft.Extensions.Options;

Commands? command;
try
{
    command = Commands.Parse(args);
}
catch (CommandException exception)
{
    await Console.Error.WriteLineAsync(exception.Message);
    return 2;
}

// Command arguments are not configuration; only a plain serve passes args on.
var builder = WebApplication.CreateBuilder(command is null ? args : []);
builder.AddErrorHandling();
builder.AddHttpHardening();
builder.AddJson();
builder.AddData();
builder.AddAuth();
builder.AddAudit();
builder.AddBruteForceProtection();
builder.AddMonitoring();
builder.AddApiDocumentation();

var app = builder.Build();
try
{
    if (command is not null)
    {
        Console.WriteLine(await command.RunAsync(app.Services, CancellationToken.None));
        return 0;
    }

    // Check every option before anything starts, so a bad one is a single line, not a host crash log.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    app.UseErrorHandling();
    app.UseHttpHardening();
    app.UseAuthentication();
    app.UseAuthorization();

    await app.MigrateEmbeddedDatabaseAsync();
    app.MapHealth();
    app.MapApiDocumentation();
    app.MapAuth();
    app.MapAdminUsers();
    app.MapAudit();
    app.MapStockData();
    app.MapMonitoring();
    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (exception is OptionsValidationException or CommandException)
{
    // A misconfigured service stops with one line that names what to fix.
    var message = exception is OptionsValidationException invalid ? string.Join(" ", invalid.Failures) : exception.Message;
    await Console.Error.WriteLineAsync(message);
    return 1;
}

/// <summary>The entry point, visible to the HTTP tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;

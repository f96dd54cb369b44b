using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.Auth;

/// <summary>
/// One policy evaluator and one result handler serve every request (ADR 23): safe only while
/// every authorization handler can be held for the life of the app.
/// </summary>
public sealed class AuthorizationServicesTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Fact]
    public void The_evaluator_and_result_handler_are_shared_and_no_authorization_handler_is_scoped()
    {
        IReadOnlyList<ServiceDescriptor> registered = [];
        using var app = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => registered = [.. services]));
        using var first = app.Services.CreateScope();
        using var second = app.Services.CreateScope();

        Assert.Same(first.ServiceProvider.GetRequiredService<IPolicyEvaluator>(), second.ServiceProvider.GetRequiredService<IPolicyEvaluator>());
        Assert.Same(first.ServiceProvider.GetRequiredService<IAuthorizationMiddlewareResultHandler>(),
            second.ServiceProvider.GetRequiredService<IAuthorizationMiddlewareResultHandler>());
        var handlers = registered.Where(d => d.ServiceType == typeof(IAuthorizationHandler)).ToList();
        Assert.NotEmpty(handlers);
        // A scoped handler (one that needs a DbContext, say) would be captured by the shared evaluator.
        Assert.DoesNotContain(handlers, d => d.Lifetime == ServiceLifetime.Scoped);
    }
}

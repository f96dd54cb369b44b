using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Cream.Api.Common;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and the interactive page at <c>/scalar</c>.</summary>
public static class ApiDocumentation
{
    private const string BearerScheme = "Bearer";
    private const string PasswordFlowScheme = "OAuth2Password";

    public static IHostApplicationBuilder AddApiDocumentation(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer(AddSecuritySchemes));
        return builder;
    }

    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
        // The page lets a developer sign in with the password flow and call endpoints with the token.
        app.MapScalarApiReference(options => options
            .WithTitle("Cream API")
            .AddPreferredSecuritySchemes(PasswordFlowScheme, BearerScheme)
            .AddPasswordFlow(PasswordFlowScheme, flow => flow.WithTokenUrl("/api/auth/login")));
        return app;
    }

    private static Task AddSecuritySchemes(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Cream API";
        document.Info.Description = "Stock tracking with JWT authentication: signed access tokens, sessions and admin roles.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from POST /api/auth/login or /api/auth/signup.",
        };
        document.Components.SecuritySchemes[PasswordFlowScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OAuth2,
            Description = "Sign in with email (username) and password.",
            Flows = new OpenApiOAuthFlows
            {
                Password = new OpenApiOAuthFlow { TokenUrl = new Uri("/api/auth/login", UriKind.Relative), Scopes = new Dictionary<string, string>() },
            },
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [],
        });
        document.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(PasswordFlowScheme, document)] = [],
        });
        return Task.CompletedTask;
    }
}

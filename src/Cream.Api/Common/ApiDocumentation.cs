using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Cream.Api.Common;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and the interactive page at <c>/scalar</c>.</summary>
public static class ApiDocumentation
{
    private const string BearerScheme = "Bearer";
    private const string DpopScheme = "DPoP";
    private const string PasswordFlowScheme = "OAuth2Password";

    // Beside Scalar's own assets; relative, because the page resolves it against its base path.
    private const string PageScriptPath = "scalar/cream-api-page.js";

    // Scalar sends one Authorization value for every scheme selected on the page, an empty one too, joined
    // into one header ("Bearer <jwt>, Bearer"), which the service rightly refuses. onBeforeRequest runs
    // before Scalar builds each request from the page: drop the Authorization values left blank.
    private const string PageScriptSource = """
        export default {
          onBeforeRequest: ({ requestBuilder }) => {
            const security = requestBuilder.security ?? [];
            const filledIn = security.filter((credential) =>
              credential.in !== 'header'
              || credential.name.toLowerCase() !== 'authorization'
              || String(credential.value ?? '').trim() !== '');
            security.splice(0, security.length, ...filledIn);
          },
        };
        """;

    // The service has no OAuth clients (the token endpoint takes no client id or secret), and Scalar has no
    // setting to leave those fields out of the password flow; they are found by Scalar's own placeholders,
    // and hidden over Scalar's utility classes.
    private const string PageCss = """
        tr:has([role="combobox"][data-placeholder="12345"]),
        tr:has(input[placeholder="XYZ123"]) { display: none !important; }
        """;

    public static IHostApplicationBuilder AddApiDocumentation(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer(AddSecuritySchemes).AddDocumentTransformer(NameTheServer));
        return builder;
    }

    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi();
        app.MapGet(PageScriptPath, PageScript).ExcludeFromDescription();
        app.MapScalarApiReference(options => options
            .WithTitle("Cream API")
            // Everything the page uses comes from this service, so it works offline and no other host learns
            // who reads it: no web fonts, telemetry, AI agent, MCP or developer toolbar from Scalar's servers.
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools()
            .HideClientButton()
            // Both ways in are on the page at once, with nothing to switch: sign in with the password flow,
            // or paste an access token into the Bearer field. PageScript sends only the one filled in.
            .AddPreferredSecuritySchemes(PasswordFlowScheme, BearerScheme)
            .AddPasswordFlow(PasswordFlowScheme, flow => flow.WithTokenUrl("/api/auth/login"))
            .WithJavaScriptConfiguration(PageScriptPath)
            .WithCustomCss(PageCss));
        return app;
    }

    private static ContentHttpResult PageScript() => TypedResults.Text(PageScriptSource, "text/javascript");

    /// <summary>
    /// The framework names the request's own scheme and <c>Host</c> as the server in Development (and no
    /// server elsewhere, so the page calls its own origin). A configured public base replaces it, so the
    /// document never repeats a <c>Host</c> its sender chose when the real address is known.
    /// </summary>
    private static Task NameTheServer(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.ApplicationServices.GetRequiredService<PublicUrls>().ConfiguredBase is { } configured)
        {
            document.Servers = [new OpenApiServer { Url = configured }];
        }

        return Task.CompletedTask;
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
        document.Components.SecuritySchemes[DpopScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "dpop",
            BearerFormat = "JWT",
            Description = "A DPoP-bound access token (token_type DPoP, RFC 9449) as `Authorization: DPoP <token>`, with a proof signed by "
                + "the bound key in the DPoP header; a token endpoint request with a proof gets one.",
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
            [new OpenApiSecuritySchemeReference(DpopScheme, document)] = [],
        });
        document.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(PasswordFlowScheme, document)] = [],
        });
        return Task.CompletedTask;
    }
}

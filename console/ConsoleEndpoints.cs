using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Upflow.Orleans.OperatorConsole;

/// <summary>
/// The operator console under /app: public HTML shells and two static assets. The pages hold no data;
/// their script reads the JSON API with the organization key the operator typed, kept in the tab's
/// sessionStorage. So the routes need no key themselves and are opened explicitly.
/// </summary>
public static class ConsoleEndpoints
{
    public const string BasePath = "/app";

    private static readonly ConsoleAsset Script = ConsoleAsset.Load("console.js", "text/javascript; charset=utf-8");
    private static readonly ConsoleAsset Styles = ConsoleAsset.Load("console.css", "text/css; charset=utf-8");

    /// <summary>Maps the console; the caller adds what its own pipeline needs (e.g. exemption from API query rules).</summary>
    public static RouteGroupBuilder MapOperatorConsole(this IEndpointRouteBuilder routes)
    {
        var console = routes.MapGroup(BasePath).AllowAnonymous().ExcludeFromDescription();
        console.MapGet("", () => Results.Redirect($"{BasePath}/sync"));
        console.MapGet("/assets/console.js", (HttpContext http) => Script.Write(http));
        console.MapGet("/assets/console.css", (HttpContext http) => Styles.Write(http));
        foreach (var view in ConsolePages.Views)
            console.MapGet(view.Path, (HttpContext http) => Html(http, ConsolePages.Render(view), StatusCodes.Status200OK));
        console.MapGet("/sign-in", (HttpContext http) => Html(http, ConsolePages.SignIn(), StatusCodes.Status200OK));
        console.MapGet("/{**unknown}", (HttpContext http) => Html(http, ConsolePages.NotFound(), StatusCodes.Status404NotFound));
        return console;
    }

    private static IResult Html(HttpContext http, string html, int status)
    {
        SecurityHeaders(http.Response);
        return Results.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    /// <summary>
    /// Only our own script may run and only our own origin may be called: the key in sessionStorage is
    /// readable by any script on the page, so none but ours is allowed.
    /// </summary>
    internal static void SecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-cache";
    }

    private sealed record ConsoleAsset(byte[] Content, string ContentType, string ETag)
    {
        public static ConsoleAsset Load(string name, string contentType)
        {
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"console/{name}")
                ?? throw new InvalidOperationException($"The console asset {name} is not embedded.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            return new ConsoleAsset(content, contentType, $"\"{Convert.ToHexString(SHA256.HashData(content))[..16]}\"");
        }

        public IResult Write(HttpContext http)
        {
            SecurityHeaders(http.Response);
            http.Response.Headers.ETag = ETag;
            if (http.Request.Headers.IfNoneMatch == ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(Content, ContentType);
        }
    }
}

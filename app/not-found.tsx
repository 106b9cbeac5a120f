import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-lg py-24 text-center" data-testid="not-found">
      <p className="font-mono text-sm text-indigo-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-zinc-500">It does not exist, or you do not have access to it.</p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">Back to your devboxes</Link>
    </main>
  );
}

import { AppError } from "@/lib/errors";

export function normalizeEmail(input: string): string {
  const email = input.trim().toLowerCase();
  // Deliberately loose: one @, something on each side, a dot in the domain. The mailbox decides the rest.
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
    throw new AppError("bad_request", "Enter a valid email address.", { field: "email" });
  return email;
}

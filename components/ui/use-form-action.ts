"use client";

import { startTransition, useActionState } from "react";

/**
 * useActionState for forms that keep what the user typed. A plain `<form action>` is reset by
 * React after every submit, so an error message would come back with an empty form; submitting
 * through onSubmit keeps the fields as they were.
 */
export function useFormAction<S>(action: (prev: Awaited<S>, form: FormData) => Promise<S>, initial: Awaited<S>) {
  const [state, dispatch, pending] = useActionState<S, FormData>(action, initial);
  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    startTransition(() => dispatch(form));
  };
  return { state, pending, onSubmit };
}

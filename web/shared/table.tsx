import './table.css';
import type { ComponentChildren } from 'preact';

/** A table named by its caption, with column headers when given; each row starts with its row header. */
export function Table({
  caption,
  columns,
  children,
}: {
  caption: string;
  columns?: string[];
  children: ComponentChildren;
}) {
  return (
    <table>
      <caption>{caption}</caption>
      {columns && (
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>{children}</tbody>
    </table>
  );
}

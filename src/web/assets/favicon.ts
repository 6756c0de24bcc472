/** The dashboard's icon, /favicon.svg: five nodes on a ring, gossiping. */
export const faviconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#10151c"/>
<g stroke="#7cc4ff" stroke-opacity="0.55" stroke-width="1.4">
<path d="M16 5 L26.5 12.6 L22.5 25 L9.5 25 L5.5 12.6 Z M16 5 L22.5 25 M16 5 L9.5 25 M26.5 12.6 L5.5 12.6 M26.5 12.6 L9.5 25 M22.5 25 L5.5 12.6" fill="none"/>
</g>
<g fill="#3ecf8e"><circle cx="16" cy="5" r="3.2"/><circle cx="26.5" cy="12.6" r="3.2"/><circle cx="9.5" cy="25" r="3.2"/><circle cx="5.5" cy="12.6" r="3.2"/></g>
<path d="M22.5 21.4 L26 27.6 L19 27.6 Z" fill="#f5b83d"/>
</svg>
`;
